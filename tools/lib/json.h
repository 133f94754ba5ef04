/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MW_TOOLS_JSON_H
#define MW_TOOLS_JSON_H

#include <stdio.h>

/*
 * @s as a JSON string (RFC 8259, section 7), quotes included; NULL as
 * null. Bytes from 0x80 up pass through: the tools' strings are UTF-8
 * or ASCII (kernel symbols, comms, messages).
 */
void json_str(FILE *f, const char *s);

#endif /* MW_TOOLS_JSON_H */
