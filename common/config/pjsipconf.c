/* SPDX-License-Identifier: BSD-2-Clause */
/* The Asterisk pjsip.conf loader: [registration] sections with their
 * outbound_auth, templates, #include and repeated keys. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/optfind.h"
#include "config/options.h"
#include "config/pjsipconf.h"
#include "config/regset.h"
#include "model/secrets.h"
#include "model/settings.h"
#include "util/log.h"

struct kv {
	char *key, *value, *file;
	int line;
};

struct section {
	char *name, *file;
	int line;
	int is_template;
	char *templates; /* comma list */
	struct kv *kv;
	size_t nkv;
};

struct ini {
	struct section *s;
	size_t n;
	char *err;
	size_t errlen;
	int depth;
	int private_files;     /* every file read may hold a secret (sr_file_private) */
	char not_private[300]; /* why the first that may not does not */
	char *stack[11];       /* the files being read, outermost first (real paths) */
	int files;	       /* files read in all: a bound on repeated #includes */
	char unused[600];      /* "[section] key" read but not used, for one warning */
};

/* A key read but not acted on: named in the load's one warning. */
static void note_unused(struct ini *ini, const char *section, const char *what)
{
	size_t len = strlen(ini->unused);
	char item[200];

	snprintf(item, sizeof item, "[%s] %s", section, what);
	if (strstr(ini->unused, item))
		return;
	snprintf(ini->unused + len, sizeof ini->unused - len, "%s%s", len ? ", " : "", item);
}

static int ini_fail(struct ini *ini, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int ini_fail(struct ini *ini, const char *file, int line, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (file)
		snprintf(ini->err, ini->errlen, "%s:%d: %s", file, line, msg);
	else
		snprintf(ini->err, ini->errlen, "%s", msg);
	return -1;
}

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

static int add_kv(struct section *sec, const char *k, const char *v, const char *file, int line)
{
	struct kv *n = realloc(sec->kv, (sec->nkv + 1) * sizeof *n);

	if (!n)
		return -1;
	sec->kv = n;
	n[sec->nkv].key = strdup(k);
	n[sec->nkv].value = strdup(v);
	n[sec->nkv].file = strdup(file);
	n[sec->nkv].line = line;
	sec->nkv++;
	return 0;
}

static int ini_read(struct ini *ini, const char *path, const char *from, int from_line);

/* Comments out of a line: ;-- block --; (in_block carries over lines) and
 * ';' to the end, unless escaped as \;. */
static char *strip_comments(char *line, int *in_block)
{
	char *p;

	if (*in_block) {
		p = strstr(line, "--;");
		if (!p)
			return NULL;
		*in_block = 0;
		line = p + 3;
	}
	p = strstr(line, ";--");
	if (p) {
		char *end = strstr(p + 3, "--;");

		if (end) {
			memmove(p, end + 3, strlen(end + 3) + 1);
		} else {
			*p = '\0';
			*in_block = 1;
		}
	}
	for (p = line; *p; p++) {
		if (*p == '\\' && p[1] == ';') {
			memmove(p, p + 1, strlen(p));
			continue;
		}
		if (*p == ';') {
			*p = '\0';
			break;
		}
	}
	return trim(line);
}

/* #include "file" or #tryinclude "file", relative to the including file. */
static int include_line(struct ini *ini, char *line, const char *path, int lineno)
{
	int tryonly = !strncasecmp(line, "#tryinclude", 11);
	char inc[4096], dir[4096], *arg;

	if (strncasecmp(line, "#include", 8) && !tryonly)
		return ini_fail(ini, path, lineno, "unknown directive %s", line);
	arg = trim(line + (tryonly ? 11 : 8));
	if (*arg == '"' || *arg == '<') {
		arg++;
		arg[strcspn(arg, "\">")] = '\0';
	}
	if (arg[0] == '/') {
		snprintf(inc, sizeof inc, "%s", arg);
	} else {
		snprintf(dir, sizeof dir, "%s", path);
		snprintf(inc, sizeof inc, "%s/%s", dirname(dir), arg);
	}
	if (tryonly && access(inc, R_OK) != 0)
		return 0;
	return ini_read(ini, inc, path, lineno);
}

/* [name] or [name](template,!): a new section, returned in *cur. */
static int section_line(struct ini *ini, char *line, const char *path, int lineno,
			struct section **cur)
{
	char *end = strchr(line, ']'), *p;
	struct section *s;

	if (!end)
		return ini_fail(ini, path, lineno, "section header without ]");
	*end = '\0';
	s = realloc(ini->s, (ini->n + 1) * sizeof *s);
	if (!s)
		return -1;
	ini->s = s;
	*cur = &s[ini->n++];
	memset(*cur, 0, sizeof **cur);
	(*cur)->name = strdup(trim(line + 1));
	(*cur)->file = strdup(path);
	(*cur)->line = lineno;
	p = trim(end + 1);
	if (*p == '(') {
		char *close = strchr(p, ')'), *tok, *save = NULL;
		char tl[512] = "";

		if (!close)
			return ini_fail(ini, path, lineno, "template list without )");
		*close = '\0';
		for (tok = strtok_r(p + 1, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			tok = trim(tok);
			if (!strcmp(tok, "!"))
				(*cur)->is_template = 1;
			else if (*tok && strcmp(tok, "+"))
				snprintf(tl + strlen(tl), sizeof tl - strlen(tl), "%s%s",
					 *tl ? "," : "", tok);
		}
		(*cur)->templates = strdup(tl);
	}
	return 0;
}

/* The lines of one open file (#include recurses through ini_read()). */
static int ini_lines(struct ini *ini, FILE *f, const char *path)
{
	char buf[4096];
	int lineno = 0, in_block_comment = 0;
	struct section *cur = NULL;

	if (ini->private_files && !sr_file_private(path, ini->not_private, sizeof ini->not_private))
		ini->private_files = 0;
	/* #include continues the section open before it, as Asterisk does */
	if (ini->n)
		cur = &ini->s[ini->n - 1];
	while (fgets(buf, sizeof buf, f)) {
		char *line, *p;

		lineno++;
		line = strip_comments(buf, &in_block_comment);
		if (!line || !*line)
			continue;
		if (line[0] == '#') {
			if (include_line(ini, line, path, lineno) < 0)
				return -1;
			cur = ini->n ? &ini->s[ini->n - 1] : NULL;
			continue;
		}
		if (line[0] == '[') {
			if (section_line(ini, line, path, lineno, &cur) < 0)
				return -1;
			continue;
		}
		p = strstr(line, "=>");
		if (!p)
			p = strchr(line, '=');
		if (!p)
			return ini_fail(ini, path, lineno, "expected key = value, got \"%s\"",
					line);
		if (!cur)
			return ini_fail(ini, path, lineno, "a setting before any [section]");
		*p = '\0';
		p += p[1] == '>' ? 2 : 1;
		if (add_kv(cur, trim(line), trim(p), path, lineno) < 0)
			return -1;
	}
	return 0;
}

static int ini_read(struct ini *ini, const char *path, const char *from, int from_line)
{
	FILE *f;
	int rc;

	if (++ini->depth > 10) {
		ini->depth--;
		return ini_fail(ini, from, from_line, "#include nests too deep (a loop?)");
	}
	if (++ini->files > 200) {
		ini->depth--;
		return ini_fail(ini, from, from_line, "more than 200 files included: stopping");
	}
	f = fopen(path, "re");
	if (!f) {
		ini->depth--;
		if (from)
			return ini_fail(ini, from, from_line, "#include %s: %s", path,
					strerror(errno));
		snprintf(ini->err, ini->errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	{
		/* a file that includes itself, directly or not, is a loop: say so
		 * rather than read it again and again */
		char *real = realpath(path, NULL);
		struct stat st;
		int k;

		if (fstat(fileno(f), &st) == 0 && !S_ISREG(st.st_mode)) {
			free(real);
			fclose(f);
			ini->depth--;
			return ini_fail(ini, from ? from : path, from ? from_line : 0,
					"%s is not a regular file", path);
		}
		for (k = 0; real && k < ini->depth - 1; k++)
			if (ini->stack[k] && !strcmp(ini->stack[k], real)) {
				free(real);
				fclose(f);
				ini->depth--;
				return ini_fail(ini, from, from_line,
						"#include %s: a loop (it is being read already)",
						path);
			}
		ini->stack[ini->depth - 1] = real;
	}
	rc = ini_lines(ini, f, path);
	fclose(f);
	free(ini->stack[ini->depth - 1]);
	ini->stack[ini->depth - 1] = NULL;
	ini->depth--;
	return rc;
}

static struct section *find_section(struct ini *ini, const char *name, int want_template)
{
	size_t i;

	for (i = ini->n; i-- > 0;)
		if (!strcmp(ini->s[i].name, name) && (want_template || !ini->s[i].is_template))
			return &ini->s[i];
	return NULL;
}

/* The settings of a section with its templates first, in file order. */
static int flatten(struct ini *ini, struct section *sec, struct section *out, int depth)
{
	size_t i;

	if (depth > 10)
		return ini_fail(ini, sec->file, sec->line, "[%s]: templates nest too deep",
				sec->name);
	if (sec->templates && *sec->templates) {
		char *copy = strdup(sec->templates), *tok, *save = NULL;

		for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			struct section *t = find_section(ini, tok, 1);

			if (!t || t == sec) {
				ini_fail(ini, sec->file, sec->line, "[%s]: no template [%s]",
					 sec->name, tok);
				free(copy);
				return -1;
			}
			if (flatten(ini, t, out, depth + 1) < 0) {
				free(copy);
				return -1;
			}
		}
		free(copy);
	}
	for (i = 0; i < sec->nkv; i++)
		if (add_kv(out, sec->kv[i].key, sec->kv[i].value, sec->kv[i].file,
			   sec->kv[i].line) < 0)
			return -1;
	return 0;
}

static void free_section(struct section *s)
{
	size_t i;

	for (i = 0; i < s->nkv; i++) {
		free(s->kv[i].key);
		if (s->kv[i].value)
			explicit_bzero(s->kv[i].value, strlen(s->kv[i].value));
		free(s->kv[i].value);
		free(s->kv[i].file);
	}
	free(s->kv);
	free(s->name);
	free(s->file);
	free(s->templates);
	memset(s, 0, sizeof *s);
}

static const char *last_value(const struct section *s, const char *key, const struct kv **where)
{
	size_t i;

	for (i = s->nkv; i-- > 0;)
		if (!strcasecmp(s->kv[i].key, key)) {
			if (where)
				*where = &s->kv[i];
			return s->kv[i].value;
		}
	return NULL;
}

/* Apply our key `key` (a registration key of the option table). */
static int apply(struct ini *ini, struct sr_reg *reg, const char *key, const struct kv *kv,
		 const char *value)
{
	const struct sr_option *o = sr_option_find(key);
	struct sr_run scratch;
	char msg[512];
	int rc;

	sr_run_defaults(&scratch);
	rc = sr_option_apply(o, value, SR_LAYER_ENTRY, reg, &scratch, kv->key, msg, sizeof msg);
	sr_run_free(&scratch);
	if (rc < 0)
		return ini_fail(ini, kv->file, kv->line, "%s", msg);
	return 0;
}

/* Registration keys of Asterisk that are ours under the same name. */
static const char *const direct[] = {
    "client_uri",
    "server_uri",
    "contact_user",
    "contact_header_params",
    "expiration",
    "max_retries",
    "retry_interval",
    "forbidden_retry_interval",
    "fatal_retry_interval",
    "auth_rejection_permanent",
    "outbound_proxy",
    "line",
    "endpoint",
    "support_path",
    "support_outbound",
    "security_negotiation",
    "max_random_initial_delay",
    "user_agent",
};

static int map_auth(struct ini *ini, struct sr_reg *reg, const struct kv *ref, const char *name)
{
	struct section *a = find_section(ini, name, 0), flat;
	const char *type;
	size_t i;
	int rc = -1;

	if (!a)
		return ini_fail(ini, ref->file, ref->line, "outbound_auth: no section [%s]", name);
	memset(&flat, 0, sizeof flat);
	if (flatten(ini, a, &flat, 0) < 0)
		goto out;
	type = last_value(&flat, "type", NULL);
	if (!type || strcasecmp(type, "auth")) {
		ini_fail(ini, ref->file, ref->line, "outbound_auth: [%s] is not type=auth", name);
		goto out;
	}
	for (i = 0; i < flat.nkv; i++) {
		const struct kv *kv = &flat.kv[i];

		if (!strcasecmp(kv->key, "type"))
			continue;
		if (!strcasecmp(kv->key, "auth_type")) {
			if (strcasecmp(kv->value, "userpass") && strcasecmp(kv->value, "md5") &&
			    strcasecmp(kv->value, "digest")) {
				ini_fail(ini, kv->file, kv->line,
					 "[%s]: auth_type=%s is not supported by this tool "
					 "(userpass, md5, digest)",
					 name, kv->value);
				goto out;
			}
			continue;
		}
		if (!strcasecmp(kv->key, "username")) {
			if (apply(ini, reg, "username", kv, kv->value) < 0)
				goto out;
		} else if (!strcasecmp(kv->key, "password")) {
			if (!ini->private_files) {
				ini_fail(ini, kv->file, kv->line,
					 "password: an inline password needs a file that group and "
					 "others cannot read, yours or read as root: %s",
					 ini->not_private);
				goto out;
			}
			if (apply(ini, reg, "password", kv, kv->value) < 0)
				goto out;
		} else if (!strcasecmp(kv->key, "md5_cred")) {
			if (apply(ini, reg, "ha1", kv, kv->value) < 0)
				goto out;
		} else if (!strcasecmp(kv->key, "realm")) {
			if (apply(ini, reg, "realm", kv, kv->value) < 0)
				goto out;
		} else if (!strcasecmp(kv->key, "supported_algorithms_uac")) {
			if (apply(ini, reg, "digest_algorithms", kv, kv->value) < 0)
				goto out;
		} else if (!strcasecmp(kv->key, "nonce_lifetime") ||
			   !strcasecmp(kv->key, "supported_algorithms_uas")) {
			continue; /* server side only: no meaning for a registering client */
		} else {
			ini_fail(ini, kv->file, kv->line, "%s: not an auth option this tool knows",
				 kv->key);
			goto out;
		}
	}
	/* an HA1 and a password in one auth section: Asterisk's auth_type
	 * decides; md5 means the HA1 */
	{
		const char *at = last_value(&flat, "auth_type", NULL);

		if (reg->password && reg->ha1 && at && !strcasecmp(at, "md5")) {
			free(reg->password);
			reg->password = NULL;
		} else if (reg->password && reg->ha1) {
			free(reg->ha1);
			reg->ha1 = NULL;
		}
	}
	rc = 0;
out:
	free_section(&flat);
	return rc;
}

static int map_transport(struct ini *ini, struct sr_reg *reg, const struct kv *ref)
{
	struct section *t = find_section(ini, ref->value, 0), flat;
	const char *type, *proto;
	const struct kv *where = NULL;
	int rc = -1;

	if (!t)
		return ini_fail(ini, ref->file, ref->line, "transport: no section [%s]",
				ref->value);
	memset(&flat, 0, sizeof flat);
	if (flatten(ini, t, &flat, 0) < 0)
		goto out;
	type = last_value(&flat, "type", NULL);
	if (!type || strcasecmp(type, "transport")) {
		ini_fail(ini, ref->file, ref->line, "transport: [%s] is not type=transport",
			 ref->value);
		goto out;
	}
	proto = last_value(&flat, "protocol", &where);
	if (!proto)
		proto = "udp"; /* Asterisk's default */
	{
		size_t i;

		/* the transport's own address, certificates, NAT settings: ours
		 * come from our flags and keys, not from Asterisk's listener */
		for (i = 0; i < flat.nkv; i++)
			if (strcasecmp(flat.kv[i].key, "type") &&
			    strcasecmp(flat.kv[i].key, "protocol"))
				note_unused(ini, ref->value, flat.kv[i].key);
	}
	if (apply(ini, reg, "transport", where ? where : ref, proto) < 0)
		goto out;
	rc = 0;
out:
	free_section(&flat);
	return rc;
}

/* outbound_auth=a,b: the first section is the registration's credential,
 * the others answer the realms they name. */
static int map_auth_list(struct ini *ini, struct sr_reg *reg, const struct kv *kv)
{
	char *copy = strdup(kv->value), *tok, *save = NULL;
	int rc = 0, first = 1;

	if (!copy)
		return -1;
	for (tok = strtok_r(copy, ",", &save); tok && rc == 0; tok = strtok_r(NULL, ",", &save)) {
		struct sr_reg more;

		tok = trim(tok);
		if (first) {
			first = 0;
			rc = map_auth(ini, reg, kv, tok);
			continue;
		}
		memset(&more, 0, sizeof more);
		rc = map_auth(ini, &more, kv, tok);
		if (rc == 0 && sr_creds_take(reg, &more) < 0)
			rc = ini_fail(ini, kv->file, kv->line, "out of memory");
		sr_reg_free(&more);
	}
	free(copy);
	return rc;
}

static int map_registration(struct ini *ini, struct section *sec, struct sr_config *cfg)
{
	struct section flat;
	struct sr_reg reg;
	char origin[600];
	size_t i, j;
	int rc = -1;

	memset(&flat, 0, sizeof flat);
	sr_reg_defaults(&reg);
	snprintf(origin, sizeof origin, "%s:%d", sec->file, sec->line);
	reg.origin = strdup(origin);
	reg.name = strdup(sec->name);
	/* Asterisk's default Contact user */
	reg.contact_user = strdup("s");
	if (flatten(ini, sec, &flat, 0) < 0)
		goto out;
	for (i = 0; i < flat.nkv; i++) {
		const struct kv *kv = &flat.kv[i];

		if (!strcasecmp(kv->key, "type"))
			continue;
		for (j = 0; j < sizeof direct / sizeof direct[0]; j++)
			if (!strcasecmp(kv->key, direct[j]))
				break;
		if (j < sizeof direct / sizeof direct[0]) {
			if (apply(ini, &reg, direct[j], kv, kv->value) < 0)
				goto out;
			continue;
		}
		if (!strcasecmp(kv->key, "outbound_auth")) {
			if (map_auth_list(ini, &reg, kv) < 0)
				goto out;
		} else if (!strcasecmp(kv->key, "transport")) {
			if (map_transport(ini, &reg, kv) < 0)
				goto out;
		} else if (!strcasecmp(kv->key, "security_mechanisms")) {
			char *copy = strdup(kv->value), *tok, *save = NULL;

			for (tok = strtok_r(copy, ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save)) {
				char *m = trim(tok);

				if (*m && apply(ini, &reg, "security_mechanisms", kv, m) < 0) {
					free(copy);
					goto out;
				}
			}
			free(copy);
		} else {
			ini_fail(ini, kv->file, kv->line,
				 "%s: not a registration option of Asterisk that this tool knows",
				 kv->key);
			goto out;
		}
	}
	if (!reg.client_uri || !reg.server_uri) {
		ini_fail(ini, sec->file, sec->line,
			 "[%s]: a registration needs client_uri and server_uri", sec->name);
		goto out;
	}
	if (reg.endpoint && !reg.line)
		note_unused(ini, sec->name, "endpoint (without line=yes)");
	for (i = 0; i < cfg->n; i++)
		if (!strcmp(cfg->regs[i].name, reg.name)) {
			ini_fail(ini, sec->file, sec->line,
				 "[%s]: a registration of that name exists already", sec->name);
			goto out;
		}
	rc = sr_config_add(cfg, &reg);
out:
	free_section(&flat);
	sr_reg_free(&reg);
	return rc;
}

int sr_pjsip_load(const char *path, struct sr_config *cfg, char *err, size_t errlen)
{
	struct ini ini = {.err = err, .errlen = errlen, .private_files = 1};
	size_t i, found = 0;
	int rc = -1;

	if (ini_read(&ini, path, NULL, 0) < 0)
		goto out;
	for (i = 0; i < ini.n; i++) {
		struct section flat;
		const char *type;

		if (ini.s[i].is_template)
			continue;
		memset(&flat, 0, sizeof flat);
		if (flatten(&ini, &ini.s[i], &flat, 0) < 0) {
			free_section(&flat);
			goto out;
		}
		type = last_value(&flat, "type", NULL);
		if (type && !strcasecmp(type, "registration")) {
			free_section(&flat);
			if (map_registration(&ini, &ini.s[i], cfg) < 0)
				goto out;
			found++;
			continue;
		}
		free_section(&flat);
	}
	if (!found) {
		snprintf(err, errlen, "%s: no type=registration section", path);
		goto out;
	}
	if (ini.unused[0])
		sr_warn("%s: read but not used: %s", path, ini.unused);
	rc = 0;
out:
	for (i = 0; i < ini.n; i++)
		free_section(&ini.s[i]);
	free(ini.s);
	return rc;
}
