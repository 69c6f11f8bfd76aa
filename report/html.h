/* SPDX-License-Identifier: MIT */
/*
 * The HTML page's parts (report/ only): html.c writes the page from its
 * list of sections, html_svg.c inlines the gnuplot charts.
 */
#ifndef KS_HTML_H
#define KS_HTML_H

#include <stdio.h>

#include "ks_err.h"

/**
 * html_svg() - write the SVG image @path into the page @out, inline: from
 * its <svg element on, every id it defines and every reference to one
 * given @prefix (unique in the page)
 *
 * Return: 0; -KS_E_IO when @path is no SVG image, or holds a script, an
 * event attribute or foreign HTML (then nothing is written); -errno when
 * it cannot be read.
 */
int html_svg(FILE *out, const char *path, const char *prefix, struct ks_error *err);

#endif
