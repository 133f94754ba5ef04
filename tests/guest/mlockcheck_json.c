// SPDX-License-Identifier: GPL-2.0
/*
 * mlockcheck_json SPEC [FILE]: checks every JSON object mlockcheck printed
 * (the lines of FILE, or stdin, that start with '{') against the field
 * tables of SPEC, tools/mlockcheck.md: every field is documented for its
 * object with the right type and, where the table lists them, one of its
 * values; every field documented as present "always" is there. A sample
 * object is one without "final", a final object has "final", and each
 * element of its "mismatches" is a mismatch object. The guest has no
 * Python: this is C, with a JSON reader just large enough.
 *
 * Prints one line per fault and a summary; exit 0 when every object
 * passed (and there was at least one), 1 when one did not, 2 when SPEC
 * or the arguments are unusable.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FIELDS	128
#define MAX_VALUES	16

struct field {
	char object[16], name[48], type[32];
	bool nullable, required;
	int nvalues;
	char values[MAX_VALUES][32];
};

static struct field spec[MAX_FIELDS];
static int nspec;
static int faults, lineno, mismatches;
static bool saw_final;

static void __attribute__((format(printf, 1, 2))) fault(const char *fmt, ...)
{
	va_list ap;

	printf("line %d: ", lineno);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	faults++;
}

/* ---- SPEC: the markdown tables whose first column is `object` ---- */

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* `word` -> word, in place; NULL when @s is not one backticked word. */
static char *unquote(char *s)
{
	size_t n = strlen(s);

	if (n < 3 || s[0] != '`' || s[n - 1] != '`')
		return NULL;
	s[n - 1] = '\0';
	return s + 1;
}

static int split_cells(char *line, char **cell, int max)
{
	int n = 0;
	char *p;

	if (*line != '|')
		return 0;
	line++;
	while (n < max && (p = strchr(line, '|'))) {
		*p = '\0';
		cell[n++] = trim(line);
		line = p + 1;
	}
	return n;
}

/* The objects the tables describe: the top two and those nested in them. */
static const char *const object_kinds[] = { "sample", "final", "mismatch", "scope", "global" };

static bool is_object_kind(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(object_kinds) / sizeof(object_kinds[0]); i++)
		if (!strcmp(name, object_kinds[i]))
			return true;
	return false;
}

/* "scope object" -> "scope": the kind a field's object value is checked as. */
static const char *object_type(const char *type)
{
	static char kind[32];
	size_t n = strlen(type);

	if (n <= 7 || strcmp(type + n - 7, " object") || n - 7 >= sizeof(kind))
		return NULL;
	snprintf(kind, sizeof(kind), "%.*s", (int)(n - 7), type);
	return is_object_kind(kind) ? kind : NULL;
}

static void read_spec(const char *path)
{
	char line[2048], *cell[8], *v;
	FILE *f = fopen(path, "r");

	if (!f) {
		perror(path);
		exit(2);
	}
	while (fgets(line, sizeof(line), f)) {
		struct field *fd;
		char *obj, *name, *tok;

		if (split_cells(line, cell, 8) < 6)
			continue;
		obj = unquote(cell[0]);
		if (!obj || !is_object_kind(obj))
			continue;
		name = unquote(cell[1]);
		if (!name || nspec == MAX_FIELDS) {
			fprintf(stderr, "mlockcheck_json: %s: bad row for %s: %s\n", path, obj, cell[1]);
			exit(2);
		}
		fd = &spec[nspec++];
		snprintf(fd->object, sizeof(fd->object), "%s", obj);
		snprintf(fd->name, sizeof(fd->name), "%s", name);
		v = cell[2];
		if (strlen(v) > 8 && !strcmp(v + strlen(v) - 8, " or null")) {
			fd->nullable = true;
			v[strlen(v) - 8] = '\0';
		}
		snprintf(fd->type, sizeof(fd->type), "%s", v);
		if (strcmp(v, "integer") && strcmp(v, "number") && strcmp(v, "boolean") &&
		    strcmp(v, "string") && strcmp(v, "array of integer") &&
		    !(strncmp(v, "array of ", 9) == 0 && is_object_kind(v + 9)) &&
		    !object_type(v)) {
			fprintf(stderr, "mlockcheck_json: %s: %s.%s: unknown type '%s'\n",
				path, obj, name, v);
			exit(2);
		}
		fd->required = !strcmp(cell[3], "always");
		for (tok = strtok(cell[4], ", "); tok; tok = strtok(NULL, ", ")) {
			char *w = unquote(tok);

			if (!w)
				continue;	/* "–": any value */
			if (fd->nvalues == MAX_VALUES)
				exit(2);
			snprintf(fd->values[fd->nvalues++], sizeof(fd->values[0]), "%s", w);
		}
	}
	fclose(f);
	if (!nspec) {
		fprintf(stderr, "mlockcheck_json: %s has no field table\n", path);
		exit(2);
	}
}

static const struct field *spec_of(const char *object, const char *name)
{
	int i;

	for (i = 0; i < nspec; i++)
		if (!strcmp(spec[i].object, object) && !strcmp(spec[i].name, name))
			return &spec[i];
	return NULL;
}

/* ---- JSON: values as kinds and raw text ---- */

enum kind { K_BAD, K_NULL, K_BOOL, K_INT, K_NUM, K_STR, K_ARR, K_OBJ };

static const char *kind_name[] = {
	[K_BAD] = "invalid", [K_NULL] = "null", [K_BOOL] = "boolean",
	[K_INT] = "integer", [K_NUM] = "number", [K_STR] = "string",
	[K_ARR] = "array", [K_OBJ] = "object",
};

static const char *p;

static void ws(void)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
}

/* A string at p, its contents (escapes kept as written) into @out. */
static bool string(char *out, size_t len)
{
	size_t n = 0;

	if (*p != '"')
		return false;
	for (p++; *p && *p != '"'; p++) {
		if ((unsigned char)*p < 0x20)
			return false;
		if (*p == '\\') {
			if (!p[1] || !strchr("\"\\/bfnrtu", p[1]))
				return false;
			if (n + 1 < len)
				out[n++] = *p;
			p++;
		}
		if (n + 1 < len)
			out[n++] = *p;
	}
	out[n] = '\0';
	if (*p != '"')
		return false;
	p++;
	return true;
}

static bool check_object(const char *object, int depth);

/*
 * The value at p. For a field of @fd's type: an array's elements are
 * checked as its "array of" kind says (objects of that kind, or
 * integers), an object as its "KIND object" says; a value of a field
 * not so typed (or with @fd NULL) is only parsed.
 */
static enum kind value(const struct field *fd, int depth)
{
	const char *object = NULL, *as_object = NULL;
	bool ints = false;

	if (fd && !strncmp(fd->type, "array of ", 9)) {
		ints = !strcmp(fd->type + 9, "integer");
		object = ints ? NULL : fd->type + 9;
	} else if (fd) {
		as_object = object_type(fd->type);
	}
	char buf[512];

	ws();
	if (depth > 8)
		return K_BAD;
	if (*p == '"')
		return string(buf, sizeof(buf)) ? K_STR : K_BAD;
	if (!strncmp(p, "null", 4))
		return p += 4, K_NULL;
	if (!strncmp(p, "true", 4))
		return p += 4, K_BOOL;
	if (!strncmp(p, "false", 5))
		return p += 5, K_BOOL;
	if (*p == '-' || isdigit((unsigned char)*p)) {
		const char *s = p;
		bool frac = false;

		if (*p == '-')
			p++;
		if (!isdigit((unsigned char)*p) || (p[0] == '0' && isdigit((unsigned char)p[1])))
			return K_BAD;
		while (isdigit((unsigned char)*p))
			p++;
		if (*p == '.') {
			frac = true;
			if (!isdigit((unsigned char)*++p))
				return K_BAD;
			while (isdigit((unsigned char)*p))
				p++;
		}
		if (*p == 'e' || *p == 'E') {
			frac = true;
			p++;
			if (*p == '+' || *p == '-')
				p++;
			if (!isdigit((unsigned char)*p))
				return K_BAD;
			while (isdigit((unsigned char)*p))
				p++;
		}
		return p > s ? (frac ? K_NUM : K_INT) : K_BAD;
	}
	if (*p == '[') {
		p++;
		ws();
		if (*p == ']')
			return p++, K_ARR;
		for (;;) {
			ws();
			if (*p == '{' && object) {
				if (!check_object(object, depth + 1))
					return K_BAD;
				mismatches += !strcmp(object, "mismatch");
			} else if (object) {
				fault("an element of an array of %s is not an object", object);
				if (value(NULL, depth + 1) == K_BAD)
					return K_BAD;
			} else {
				enum kind ek = value(NULL, depth + 1);

				if (ek == K_BAD)
					return K_BAD;
				if (ints && ek != K_INT)
					fault("field \"%s\": an element is %s, not an integer",
					      fd->name, kind_name[ek]);
			}
			ws();
			if (*p == ',') {
				p++;
				continue;
			}
			if (*p != ']')
				return K_BAD;
			p++;
			return K_ARR;
		}
	}
	if (*p == '{')
		return check_object(as_object, depth + 1) ? K_OBJ : K_BAD;
	return K_BAD;
}

static bool type_ok(const struct field *fd, enum kind k)
{
	if (k == K_NULL)
		return fd->nullable;
	if (!strcmp(fd->type, "integer"))
		return k == K_INT;
	if (!strcmp(fd->type, "number"))
		return k == K_INT || k == K_NUM;
	if (!strcmp(fd->type, "boolean"))
		return k == K_BOOL;
	if (!strcmp(fd->type, "string"))
		return k == K_STR;
	if (object_type(fd->type))
		return k == K_OBJ;
	return k == K_ARR;
}

/*
 * The object at p, checked as an @object. With @object NULL it is only
 * parsed, and saw_final says whether it has a "final" field of its own.
 */
static bool check_object(const char *object, int depth)
{
	char names[MAX_FIELDS][48], key[48], raw[512];
	int nnames = 0, i;

	if (*p++ != '{')
		return false;
	ws();
	if (*p == '}') {
		p++;
		goto required;
	}
	for (;;) {
		const struct field *fd;
		const char *vstart;
		enum kind k;

		ws();
		if (!string(key, sizeof(key)))
			return false;
		ws();
		if (*p++ != ':')
			return false;
		ws();
		for (i = 0; object && i < nnames; i++)
			if (!strcmp(names[i], key))
				fault("%s object: field \"%s\" appears twice", object, key);
		if (!object && depth == 0 && !strcmp(key, "final"))
			saw_final = true;
		if (nnames < MAX_FIELDS)
			snprintf(names[nnames++], sizeof(names[0]), "%s", key);
		fd = object ? spec_of(object, key) : NULL;
		vstart = p;
		k = value(fd, depth);
		if (k == K_BAD)
			return false;
		if (object && !fd) {
			fault("%s object: field \"%s\" is not documented for it in the tables of tools/mlockcheck.md",
			      object, key);
		} else if (fd && !type_ok(fd, k)) {
			fault("%s object: field \"%s\" is %s, documented as %s%s", object, key,
			      kind_name[k], fd->type, fd->nullable ? " or null" : "");
		} else if (fd && fd->nvalues && k != K_NULL) {
			bool known = false;

			snprintf(raw, sizeof(raw), "%.*s", (int)(p - vstart), vstart);
			if (k == K_STR) {
				memmove(raw, raw + 1, strlen(raw));
				raw[strlen(raw) - 1] = '\0';
			}
			for (i = 0; i < fd->nvalues; i++)
				known |= !strcmp(raw, fd->values[i]);
			if (!known)
				fault("%s object: field \"%s\" is %s, not one of the documented values",
				      object, key, raw);
		}
		ws();
		if (*p == ',') {
			p++;
			continue;
		}
		if (*p++ != '}')
			return false;
		break;
	}
required:
	for (i = 0; object && i < nspec; i++) {
		int j;
		bool seen = false;

		if (strcmp(spec[i].object, object) || !spec[i].required)
			continue;
		for (j = 0; j < nnames; j++)
			seen |= !strcmp(names[j], spec[i].name);
		if (!seen)
			fault("%s object: documented field \"%s\" (present always) is missing",
			      object, spec[i].name);
	}
	return true;
}

int main(int argc, char **argv)
{
	int objects = 0, finals = 0;
	char line[65536];
	FILE *in = stdin;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: mlockcheck_json SPEC.md [FILE]\n");
		return 2;
	}
	read_spec(argv[1]);
	if (argc == 3 && !(in = fopen(argv[2], "r"))) {
		perror(argv[2]);
		return 2;
	}
	while (fgets(line, sizeof(line), in)) {
		lineno++;
		if (line[0] != '{')
			continue;
		objects++;
		p = line;
		saw_final = false;
		if (!check_object(NULL, 0)) {
			fault("not a JSON object: %.60s...", line);
			continue;
		}
		ws();
		if (*p) {
			fault("text after the object: %.40s", p);
			continue;
		}
		finals += saw_final;
		p = line;
		check_object(saw_final ? "final" : "sample", 0);
	}
	printf("%d object(s), %d final, %d mismatch(es), %d fault(s), against %d documented fields\n",
	       objects, finals, mismatches, faults, nspec);
	if (!objects) {
		printf("no JSON object to check\n");
		return 1;
	}
	return faults ? 1 : 0;
}
