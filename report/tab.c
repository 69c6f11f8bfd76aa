// SPDX-License-Identifier: MIT
/*
 * The table printer shared by the results, minimum-pool, costs and
 * per-task tables, and the printer of the text around them.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "tab.h"

char (*ks_tab_alloc(size_t nrows, size_t ncols))[KS_TAB_CELL]
{
	return calloc(nrows * ncols + 1, KS_TAB_CELL);
}

/* Labels come from traces: no control characters reach a terminal. */
static void clean_text(char *dst, const char *s)
{
	for (; *s; s++, dst++)
		*dst = (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s;
	*dst = '\0';
}

static void put_text(FILE *out, const char *s, size_t width, bool left, bool last)
{
	char buf[KS_TAB_CELL];
	size_t n;

	clean_text(buf, s);
	n = strlen(buf);
	if (left && last)
		fputs(buf, out);
	else
		fprintf(out, left ? "%-*s" : "%*s", (int)(width > n ? width : n), buf);
}

static void put_md(FILE *out, const char *s)
{
	fputs(" ", out);
	for (; *s; s++) {
		if (*s == '|' || *s == '\\' || *s == '*' || *s == '_' || *s == '`')
			fputc('\\', out);
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s, out);
	}
	fputs(" |", out);
}

void ks_tab_html(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		case '\'':
			fputs("&#39;", out);
			break;
		default:
			fputc((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t' ? '?' :
			      *s == 0x7f ? '?' : *s, out);
			break;
		}
	}
}

void ks_tab_note(FILE *out, enum ks_report_format f, const char *fmt, ...)
{
	char *buf = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	if (f != KS_FMT_HTML) {
		vfprintf(out, fmt, ap);
		va_end(ap);
		return;
	}
	n = vasprintf(&buf, fmt, ap);
	va_end(ap);
	/* out of memory: the stream's error flag says the page is not whole */
	if (n < 0) {
		fputs("?", out);
		return;
	}
	ks_tab_html(out, buf);
	free(buf);
}

/* RFC 4180: quote a field holding a comma, quote or line break; double quotes. */
static void put_csv(FILE *out, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

/*
 * A cell of an HTML table, escaped, where a line may break besides at
 * spaces: after the commas of a list ("100,60,65,..." by pool) and, in a
 * header, before a parenthesis ("Dynamic(%RAM)").
 */
static void put_html_cell(FILE *out, const char *s, bool head)
{
	char one[2] = "";

	for (; *s; s++) {
		if (head && *s == '(')
			fputs("<wbr>", out);
		one[0] = *s;
		ks_tab_html(out, one);
		if (*s == ',' && s[1] && s[1] != ' ')
			fputs("<wbr>", out);
	}
}

/* One row of an HTML table, cells of @tag ("th", "td"); no white space between tags. */
static void put_html_row(const struct ks_tab *t, FILE *out, const char *tag,
			 const char *const *cells)
{
	size_t c;

	fputs("<tr>", out);
	for (c = 0; c < t->ncols; c++) {
		fprintf(out, "<%s%s>", tag, t->left[c] ? " class=\"l\"" : "");
		put_html_cell(out, cells[c], tag[1] == 'h');
		fprintf(out, "</%s>", tag);
	}
	fputs("</tr>", out);
}

static void put_row(const struct ks_tab *t, enum ks_report_format f, FILE *out,
		    const size_t *width, const char *const *cells)
{
	size_t c;

	if (f == KS_FMT_MARKDOWN)
		fputc('|', out);
	for (c = 0; c < t->ncols; c++) {
		if (f == KS_FMT_TEXT) {
			fputs(c ? "  " : "", out);
			put_text(out, cells[c], width[c], t->left[c], c + 1 == t->ncols);
		} else if (f == KS_FMT_MARKDOWN) {
			put_md(out, cells[c]);
		} else {
			fputs(c ? "," : "", out);
			put_csv(out, cells[c]);
		}
	}
	fputs(f == KS_FMT_CSV ? "\r\n" : "\n", out);
}

void ks_tab_print(const struct ks_tab *t, enum ks_report_format f, FILE *out)
{
	const char *row[64];
	size_t width[64];
	size_t i, c, ncols = t->ncols < 64 ? t->ncols : 64;
	struct ks_tab tt = *t;

	tt.ncols = ncols;
	if (f == KS_FMT_HTML) {
		fputs("<div class=\"tw\"><table class=\"t\"><thead>", out);
		put_html_row(&tt, out, "th", t->headers);
		fputs("</thead><tbody>", out);
		for (i = 0; i < t->nrows; i++) {
			for (c = 0; c < ncols; c++)
				row[c] = t->cells[i * t->ncols + c];
			put_html_row(&tt, out, "td", row);
		}
		fputs("</tbody></table></div>", out);
		return;
	}
	for (c = 0; c < ncols; c++)
		width[c] = strlen(t->headers[c]);
	for (i = 0; i < t->nrows; i++)
		for (c = 0; c < ncols; c++)
			if (strlen(t->cells[i * t->ncols + c]) > width[c])
				width[c] = strlen(t->cells[i * t->ncols + c]);
	put_row(&tt, f, out, width, t->headers);
	if (f == KS_FMT_MARKDOWN) {
		fputc('|', out);
		for (c = 0; c < ncols; c++)
			fputs(t->left[c] ? " :--- |" : " ---: |", out);
		fputc('\n', out);
	}
	for (i = 0; i < t->nrows; i++) {
		for (c = 0; c < ncols; c++)
			row[c] = t->cells[i * t->ncols + c];
		put_row(&tt, f, out, width, row);
	}
}
