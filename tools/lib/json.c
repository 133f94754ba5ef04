// SPDX-License-Identifier: GPL-2.0
#include "json.h"

void json_str(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = *s;

		switch (ch) {
		case '"':
		case '\\':
			fputc('\\', f);
			fputc(ch, f);
			break;
		/* The short forms RFC 8259 has; any other control is \u00XX. */
		case '\b': fputs("\\b", f); break;
		case '\f': fputs("\\f", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (ch < 0x20)
				fprintf(f, "\\u%04x", ch);
			else
				fputc(ch, f);
		}
	}
	fputc('"', f);
}
