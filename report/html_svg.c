// SPDX-License-Identifier: MIT
/*
 * A gnuplot SVG chart inlined into the HTML page.  Each chart defines the
 * same ids (gpPt0, gpDot, textbox, the hatch patterns of each chart's
 * colours...) and refers to them (href='#gpPt3', url(#gpPat1)); in one page
 * an id must be unique and a reference finds the first element of that id
 * in the whole page, so a chart would borrow another's pattern.  Every id a
 * chart defines and every reference to one is given the chart's own
 * prefix.  The rewriting happens inside tags only (text between tags is
 * copied as it is: gnuplot escapes it, and the charts' titles are
 * sanitised copies of the labels), and a chart that holds a script or
 * foreign HTML is refused: the page needs no JavaScript.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "html.h"

/* No chart gnuplot draws for kstack comes near this. */
#define SVG_MAX (32u << 20)

/* The whole of @path, NUL-terminated, in *@buf. */
static int slurp(const char *path, char **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 16, n = 0, got;
	char *b = NULL, *tmp;
	int ret = 0;

	if (!f)
		return -errno;
	for (;;) {
		if (n + 1 >= cap || !b) {
			cap = b ? cap * 2 : cap;
			if (cap > SVG_MAX) {
				ret = -EFBIG;
				break;
			}
			tmp = realloc(b, cap);
			if (!tmp) {
				ret = -ENOMEM;
				break;
			}
			b = tmp;
		}
		got = fread(b + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0) {
			if (ferror(f))
				ret = -EIO;
			break;
		}
	}
	fclose(f);
	if (ret) {
		free(b);
		return ret;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

/* @s starts with @word, case aside */
static bool at(const char *s, const char *word)
{
	return !strncasecmp(s, word, strlen(word));
}

/* @c is white space between attributes */
static bool space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * Walk @svg (from its <svg element on), copying it to @out (unless NULL),
 * each id and each reference to an id inside a tag given @prefix.
 * Return: false if a tag is a script or foreign HTML, or has an event
 * attribute (onclick=...) or a javascript: value: nothing to inline.
 */
static bool svg_walk(FILE *out, const char *svg, const char *prefix)
{
	const char *s = svg;
	bool tag = false;
	char quote = 0;

	while (*s) {
		if (!tag) {
			tag = *s == '<';
			if (tag && (at(s, "<script") || at(s, "<foreignobject")))
				return false;
			if (out)
				fputc(*s, out);
			s++;
			continue;
		}
		if (quote) {
			if (*s == quote)
				quote = 0;
			if (at(s, "javascript:"))
				return false;
			/* a reference in a value: fill="url(#gpPat1)" */
			if (at(s, "url(#")) {
				if (out)
					fprintf(out, "url(#%s", prefix);
				s += 5;
				continue;
			}
			if (out)
				fputc(*s, out);
			s++;
			continue;
		}
		if (*s == '>') {
			tag = false;
		} else if (*s == '\'' || *s == '"') {
			quote = *s;
		} else if (space(s[-1]) && at(s, "on") && isalpha((unsigned char)s[2])) {
			return false;
		} else if (space(s[-1]) && at(s, "id=") && (s[3] == '\'' || s[3] == '"')) {
			/* an id defined: id='gpPt0' */
			quote = s[3];
			if (out)
				fprintf(out, "id=%c%s", quote, prefix);
			s += 4;
			continue;
		} else if ((s[-1] == ':' || space(s[-1])) && at(s, "href=") &&
			   (s[5] == '\'' || s[5] == '"') && s[6] == '#') {
			/* a reference: xlink:href='#gpPt5' */
			quote = s[5];
			if (out)
				fprintf(out, "href=%c#%s", quote, prefix);
			s += 7;
			continue;
		}
		if (out)
			fputc(*s, out);
		s++;
	}
	return true;
}

int html_svg(FILE *out, const char *path, const char *prefix, struct ks_error *err)
{
	char *buf = NULL, *svg;
	size_t len = 0;
	int ret;

	ret = slurp(path, &buf, &len);
	if (ret)
		return ks_error_set(err, -ret, "%s: %s", path, strerror(-ret));
	/* the XML declaration and any DOCTYPE go: the page is HTML */
	svg = strstr(buf, "<svg");
	if (!svg || strlen(svg) != len - (size_t)(svg - buf)) {
		free(buf);
		return ks_error_set(err, KS_E_IO, "%s: not an SVG image", path);
	}
	if (!svg_walk(NULL, svg, prefix)) {
		free(buf);
		return ks_error_set(err, KS_E_IO, "%s: the image holds a script: not inlined",
				    path);
	}
	svg_walk(out, svg, prefix);
	free(buf);
	return 0;
}
