/* SPDX-License-Identifier: BSD-2-Clause */
/* The YAML loader (flat, registrations:, JsSIP keys; a position in every
 * error), --dump-config, and the fingerprint a reload compares. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include <openssl/evp.h>

#include "config/conffile.h"
#include "config/optfind.h"
#include "config/options.h"
#include "config/regset.h"
#include "model/exitcode.h"
#include "model/secrets.h"
#include "model/settings.h"
#include "util/log.h"
#include "util/nameidx.h"

struct loader {
	const char *path;
	yaml_document_t *doc;
	char *err;
	size_t errlen;
	int file_private;	 /* may hold a secret: sr_file_private() */
	char ignored[200];	 /* JsSIP call options met, for one warning */
	struct sr_nameidx names; /* the registrations' names so far */
	char not_private[300];	 /* why it may not hold a secret */
};

static int fail_at(struct loader *l, const yaml_node_t *node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail_at(struct loader *l, const yaml_node_t *node, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(l->err, l->errlen, "%s:%lu:%lu: %s", l->path,
		 (unsigned long)(node ? node->start_mark.line + 1 : 0),
		 (unsigned long)(node ? node->start_mark.column + 1 : 0), msg);
	return -1;
}

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static const char *type_name(const yaml_node_t *n)
{
	if (!n)
		return "nothing";
	switch (n->type) {
	case YAML_SCALAR_NODE:
		return "a value";
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_MAPPING_NODE:
		return "a mapping";
	default:
		return "nothing";
	}
}

/* A plain empty scalar, ~ or null. */
static int is_null(const yaml_node_t *n)
{
	const char *s = scalar(n);

	return n && n->type == YAML_SCALAR_NODE &&
	       n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       (!*s || !strcmp(s, "~") || !strcasecmp(s, "null"));
}

static int apply_value(struct loader *l, const struct sr_option *o, const char *key,
		       const yaml_node_t *v, enum sr_layer layer, struct sr_reg *reg)
{
	struct sr_run scratch;
	char msg[512];
	int rc;

	sr_run_defaults(&scratch);
	if (is_null(v))
		return fail_at(l, v, "%s: expected a value, got nothing", key);
	if (v->type == YAML_SCALAR_NODE) {
		char joined[4096];
		const char *val = scalar(v), *slash = strrchr(l->path, '/');

		/* a relative file name is the YAML file's neighbour, as in every
		 * configuration format people know, not the working directory's */
		if (o->path && val[0] && val[0] != '/' && slash) {
			snprintf(joined, sizeof joined, "%.*s/%s", (int)(slash - l->path), l->path,
				 val);
			val = joined;
		}
		rc = sr_option_apply(o, val, layer, reg, &scratch, key, msg, sizeof msg);
		sr_run_free(&scratch);
		if (rc < 0)
			return fail_at(l, v, "%s", msg);
		return 0;
	}
	if (v->type == YAML_SEQUENCE_NODE && (o->type == SR_OT_LIST || o->type == SR_OT_SERVERS ||
					      o->id == SR_O_DIGEST_ALGORITHMS)) {
		yaml_node_item_t *it;
		char joined[256] = "";

		for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
			yaml_node_t *e = yaml_document_get_node(l->doc, *it);
			char buf[1024];
			const char *val = scalar(e);

			if (o->type == SR_OT_SERVERS && e && e->type == YAML_MAPPING_NODE) {
				yaml_node_pair_t *p;
				const char *uri = NULL, *weight = NULL;

				for (p = e->data.mapping.pairs.start; p < e->data.mapping.pairs.top;
				     p++) {
					const char *k =
					    scalar(yaml_document_get_node(l->doc, p->key));
					yaml_node_t *pv = yaml_document_get_node(l->doc, p->value);

					/* JsSIP writes a socket's URI as socket: */
					if (k && (!strcmp(k, "uri") || !strcmp(k, "socket")) &&
					    scalar(pv))
						uri = scalar(pv);
					else if (k && !strcmp(k, "weight") && scalar(pv))
						weight = scalar(pv);
					else
						return fail_at(l, pv,
							       "%s: unknown key \"%s\" in a server "
							       "(uri, weight)",
							       key, k ? k : "?");
				}
				if (!uri)
					return fail_at(l, e, "%s: a server needs a uri", key);
				snprintf(buf, sizeof buf, "%s%s%s", uri, weight ? "," : "",
					 weight ? weight : "");
				val = buf;
			} else if (!val || is_null(e)) {
				return fail_at(l, e, "%s: expected a list of values, got %s in it",
					       key, type_name(e));
			}
			if (o->id == SR_O_DIGEST_ALGORITHMS) {
				size_t len = strlen(joined), vl = strlen(val);

				if (len + vl + 3 >= sizeof joined)
					return fail_at(l, e, "%s: the list is too long", key);
				if (len)
					memcpy(joined + len, ", ", 2), len += 2;
				memcpy(joined + len, val, vl + 1);
				continue;
			}
			rc = sr_option_apply(o, val, layer, reg, &scratch, key, msg, sizeof msg);
			if (rc < 0) {
				sr_run_free(&scratch);
				return fail_at(l, e, "%s", msg);
			}
		}
		if (o->id == SR_O_DIGEST_ALGORITHMS) {
			rc = sr_option_apply(o, joined, layer, reg, &scratch, key, msg, sizeof msg);
			if (rc < 0) {
				sr_run_free(&scratch);
				return fail_at(l, v, "%s", msg);
			}
		}
		sr_run_free(&scratch);
		return 0;
	}
	sr_run_free(&scratch);
	return fail_at(l, v, "%s: expected %s, got %s", key,
		       o->type == SR_OT_LIST || o->type == SR_OT_SERVERS ? "a list"
									 : "a single value",
		       type_name(v));
}

/* Under outbound_auth: only the rows marked as credentials. */
static const struct sr_option *credential_key(const char *k)
{
	const struct sr_option *o = sr_option_find(k);

	return o && o->credential ? o : NULL;
}

static int unknown_key(struct loader *l, const yaml_node_t *kn, const char *k, const char *where)
{
	const char *s = sr_option_suggest(k);

	if (s)
		return fail_at(l, kn, "unknown key \"%s\"%s (did you mean \"%s\"?)", k, where, s);
	return fail_at(l, kn, "unknown key \"%s\"%s", k, where);
}

/* JsSIP UA options that concern calls, not registration: a pasted JsSIP
 * configuration keeps them; they are named in one warning and ignored. */
static const char *const jssip_call_keys[] = {
    "session_timers",
    "session_timers_refresh_method",
    "session_timers_force_refresher",
    "no_answer_timeout",
    "register",
};

static int jssip_call_key(const char *k)
{
	size_t i;

	for (i = 0; i < sizeof jssip_call_keys / sizeof jssip_call_keys[0]; i++)
		if (!strcmp(k, jssip_call_keys[i]))
			return 1;
	return 0;
}

static int apply_mapping(struct loader *l, const yaml_node_t *map, enum sr_layer layer,
			 struct sr_reg *reg, int allow_name, int in_auth);

/* outbound_auth: a list, one credential per realm. The first is the
 * registration's own keys; the others go to more_auth (a later layer's
 * list replaces an earlier one's). */
static int apply_auth_list(struct loader *l, const yaml_node_t *list, enum sr_layer layer,
			   struct sr_reg *reg)
{
	yaml_node_item_t *it;
	int first = 1;

	sr_creds_free(reg->more_auth, reg->n_more_auth);
	reg->more_auth = NULL;
	reg->n_more_auth = 0;
	for (it = list->data.sequence.items.start; it < list->data.sequence.items.top; it++) {
		yaml_node_t *e = yaml_document_get_node(l->doc, *it);
		struct sr_reg more;
		int rc;

		if (!e || e->type != YAML_MAPPING_NODE)
			return fail_at(l, e,
				       "outbound_auth: expected a mapping per credential, got %s",
				       type_name(e));
		if (first) {
			first = 0;
			if (apply_mapping(l, e, layer, reg, 0, 1) < 0)
				return -1;
			continue;
		}
		memset(&more, 0, sizeof more);
		rc = apply_mapping(l, e, layer, &more, 0, 1);
		if (rc == 0 && (more.bearer_token || more.bearer_token_file))
			rc = fail_at(l, e,
				     "outbound_auth: a Bearer token belongs in the first entry");
		if (rc == 0 && sr_creds_take(reg, &more) < 0)
			rc = fail_at(l, e, "out of memory");
		sr_reg_free(&more);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* Apply a mapping of registration keys. */
static int apply_mapping(struct loader *l, const yaml_node_t *map, enum sr_layer layer,
			 struct sr_reg *reg, int allow_name, int in_auth)
{
	yaml_node_pair_t *p, *q;

	if (map->type != YAML_MAPPING_NODE)
		return fail_at(l, map, "expected a mapping of keys, got %s", type_name(map));
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(l->doc, p->key);
		yaml_node_t *vn = yaml_document_get_node(l->doc, p->value);
		const char *k = scalar(kn);
		const struct sr_option *o;

		if (!k)
			return fail_at(l, kn, "expected a key, got %s", type_name(kn));
		for (q = map->data.mapping.pairs.start; q < p; q++) {
			const char *k2 = scalar(yaml_document_get_node(l->doc, q->key));

			if (k2 && sr_option_find(k2) && sr_option_find(k2) == sr_option_find(k))
				return fail_at(l, kn, "%s: given twice in one mapping%s", k,
					       strcmp(k, k2) ? " (under another spelling)" : "");
			if (k2 && !strcmp(k2, k))
				return fail_at(l, kn, "%s: given twice in one mapping", k);
		}
		if (!in_auth && !strcmp(k, "outbound_auth")) {
			if (vn->type == YAML_SEQUENCE_NODE) {
				if (apply_auth_list(l, vn, layer, reg) < 0)
					return -1;
				continue;
			}
			if (vn->type != YAML_MAPPING_NODE)
				return fail_at(l, vn,
					       "outbound_auth: expected a mapping (username, "
					       "password_file, ...) or a list of them, got %s",
					       type_name(vn));
			if (apply_mapping(l, vn, layer, reg, 0, 1) < 0)
				return -1;
			continue;
		}
		if (!in_auth && jssip_call_key(k)) {
			size_t len = strlen(l->ignored);

			snprintf(l->ignored + len, sizeof l->ignored - len, "%s%s", len ? ", " : "",
				 k);
			continue;
		}
		o = in_auth ? credential_key(k) : sr_option_find(k);
		if (!o)
			return unknown_key(l, kn, k, in_auth ? " in outbound_auth" : "");
		if (o->id == SR_O_NAME && !allow_name)
			return fail_at(l, kn, "name: only a registration entry has a name");
		if (o->id == SR_O_PASSWORD && !l->file_private)
			return fail_at(
			    l, kn,
			    "password: an inline password needs a file that group and others "
			    "cannot read, yours or read as root: %s; or use password_file or "
			    "password_env",
			    l->not_private);
		if (apply_value(l, o, k, vn, layer, reg) < 0)
			return -1;
	}
	return 0;
}

static int add_entry(struct loader *l, struct sr_config *cfg, const yaml_node_t *defaults,
		     const yaml_node_t *entry, const char *name, const yaml_node_t *name_node)
{
	struct sr_reg reg;
	char origin[600];
	size_t i;
	long at;

	sr_reg_defaults(&reg);
	snprintf(origin, sizeof origin, "%s:%lu:%lu", l->path,
		 (unsigned long)entry->start_mark.line + 1,
		 (unsigned long)entry->start_mark.column + 1);
	reg.origin = strdup(origin);
	if ((defaults && apply_mapping(l, defaults, SR_LAYER_DEFAULTS, &reg, 0, 0) < 0) ||
	    apply_mapping(l, entry, SR_LAYER_ENTRY, &reg, name == NULL, 0) < 0) {
		sr_reg_free(&reg);
		return -1;
	}
	if (name)
		sr_setstr(&reg.name, name);
	if (!reg.name && reg.client_uri)
		sr_setstr(&reg.name, reg.client_uri);
	if (!reg.name) {
		char buf[32];

		snprintf(buf, sizeof buf, "registration-%zu", cfg->n + 1);
		sr_setstr(&reg.name, buf);
	}
	if (!l->names.n)
		for (i = 0; i < cfg->n; i++) /* what earlier sources added */
			sr_nameidx_put(&l->names, cfg->regs[i].name, i);
	at = sr_nameidx_get(&l->names, reg.name);
	if (at >= 0) {
		fail_at(l, name_node ? name_node : entry,
			"registration \"%s\" is named twice (first at %s)", reg.name,
			cfg->regs[at].origin ? cfg->regs[at].origin : "?");
		sr_reg_free(&reg);
		return -1;
	}
	if (sr_config_add(cfg, &reg) < 0)
		return -1;
	return sr_nameidx_put(&l->names, cfg->regs[cfg->n - 1].name, cfg->n - 1);
}

/* The entries of registrations:, a list or a mapping of name: entry. */
static int add_entries(struct loader *l, struct sr_config *cfg, const yaml_node_t *defaults,
		       const yaml_node_t *regs)
{
	yaml_node_pair_t *p;
	yaml_node_item_t *it;

	if (regs->type == YAML_SEQUENCE_NODE) {
		for (it = regs->data.sequence.items.start; it < regs->data.sequence.items.top;
		     it++) {
			yaml_node_t *e = yaml_document_get_node(l->doc, *it);

			if (e->type != YAML_MAPPING_NODE)
				return fail_at(
				    l, e, "registrations: expected a mapping per entry, got %s",
				    type_name(e));
			if (add_entry(l, cfg, defaults, e, NULL, NULL) < 0)
				return -1;
		}
		return 0;
	}
	if (regs->type != YAML_MAPPING_NODE)
		return fail_at(l, regs, "registrations: expected a list or a mapping, got %s",
			       type_name(regs));
	for (p = regs->data.mapping.pairs.start; p < regs->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(l->doc, p->key);
		yaml_node_t *e = yaml_document_get_node(l->doc, p->value);

		if (!scalar(kn) || !*scalar(kn))
			return fail_at(l, kn, "registrations: expected a name, got %s",
				       type_name(kn));
		if (e->type != YAML_MAPPING_NODE)
			return fail_at(l, e, "%s: expected a mapping of keys, got %s", scalar(kn),
				       type_name(e));
		if (add_entry(l, cfg, defaults, e, scalar(kn), kn) < 0)
			return -1;
	}
	return 0;
}

int sr_config_load_yaml(const char *path, struct sr_config *cfg, char *err, size_t errlen)
{
	struct loader l = {path, NULL, err, errlen, 0, "", {NULL, 0, 0}, ""};
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root, *defaults = NULL, *regs = NULL;
	yaml_node_pair_t *p;
	FILE *f;
	int rc = -1, structured = 0;

	l.file_private = sr_file_private(path, l.not_private, sizeof l.not_private);
	f = fopen(path, "rbe");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(err, errlen, "%s:%lu:%lu: not valid YAML: %s", path,
			 (unsigned long)parser.problem_mark.line + 1,
			 (unsigned long)parser.problem_mark.column + 1,
			 parser.problem ? parser.problem : "syntax error");
		yaml_parser_delete(&parser);
		fclose(f);
		return -1;
	}
	l.doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (!root || is_null(root)) {
		snprintf(err, errlen, "%s: empty: no registrations", path);
		goto out;
	}
	if (root->type != YAML_MAPPING_NODE) {
		fail_at(&l, root, "expected a mapping (defaults:, registrations:), got %s",
			type_name(root));
		goto out;
	}
	for (p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		const char *k = scalar(yaml_document_get_node(&doc, p->key));

		if (k && !strcmp(k, "defaults")) {
			defaults = yaml_document_get_node(&doc, p->value);
			structured = 1;
		} else if (k && !strcmp(k, "registrations")) {
			regs = yaml_document_get_node(&doc, p->value);
			structured = 1;
		}
	}
	if (!structured) {
		/* one registration written flat */
		rc = add_entry(&l, cfg, NULL, root, NULL, NULL);
		goto out;
	}
	for (p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(&doc, p->key);
		const char *k = scalar(kn);

		if (!k || (strcmp(k, "defaults") && strcmp(k, "registrations"))) {
			if (k && sr_option_find(k))
				fail_at(&l, kn,
					"%s: a registration key at the top level next to "
					"registrations:; "
					"move it under defaults: or into an entry",
					k);
			else
				fail_at(&l, kn,
					"unknown top-level key \"%s\" (defaults, registrations)",
					k ? k : "?");
			goto out;
		}
	}
	if (defaults && defaults->type != YAML_MAPPING_NODE) {
		fail_at(&l, defaults, "defaults: expected a mapping, got %s", type_name(defaults));
		goto out;
	}
	if (!regs || is_null(regs)) {
		snprintf(err, errlen, "%s: no registrations: (defaults alone register nothing)",
			 path);
		goto out;
	}
	if (add_entries(&l, cfg, defaults, regs) < 0)
		goto out;
	if (cfg->n == 0) {
		snprintf(err, errlen, "%s: registrations: is empty", path);
		goto out;
	}
	rc = 0;
out:
	if (rc == 0 && l.ignored[0])
		sr_warn("%s: %s: JsSIP options for calls, not registration: ignored", path,
			l.ignored);
	sr_nameidx_free(&l.names);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	fclose(f);
	return rc;
}

/* ------------------------------------------------------------------ */
/* --dump-config through libyaml's emitter, which quotes as needed. */

static int emit_scalar(yaml_emitter_t *em, const char *s)
{
	yaml_event_t ev;

	yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), 1, 1,
				     YAML_ANY_SCALAR_STYLE);
	return yaml_emitter_emit(em, &ev) ? 0 : -1;
}

static int emit_kv(yaml_emitter_t *em, const char *k, const char *v)
{
	return emit_scalar(em, k) < 0 || emit_scalar(em, v) < 0 ? -1 : 0;
}

static int emit_list(yaml_emitter_t *em, const struct sr_option *o, const struct sr_reg *r)
{
	const void *f = sr_option_field(o, (struct sr_reg *)r, NULL);
	const struct sr_strv *sv = f;
	const struct sr_servers *srv = f;
	size_t j, n = o->type == SR_OT_LIST ? sv->n : srv->n;
	yaml_event_t ev;
	char num[16];
	int rc = 0;

	if (!n)
		return 0;
	rc |= emit_scalar(em, o->key);
	yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
	rc |= yaml_emitter_emit(em, &ev) ? 0 : -1;
	for (j = 0; j < n; j++) {
		if (o->type == SR_OT_LIST) {
			rc |= emit_scalar(em, sv->v[j]);
			continue;
		}
		yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_FLOW_MAPPING_STYLE);
		rc |= yaml_emitter_emit(em, &ev) ? 0 : -1;
		rc |= emit_kv(em, "uri", srv->v[j].uri);
		snprintf(num, sizeof num, "%u", srv->v[j].weight);
		rc |= emit_kv(em, "weight", num);
		yaml_mapping_end_event_initialize(&ev);
		rc |= yaml_emitter_emit(em, &ev) ? 0 : -1;
	}
	yaml_sequence_end_event_initialize(&ev);
	rc |= yaml_emitter_emit(em, &ev) ? 0 : -1;
	return rc;
}

/* One credential as a flow mapping of its keys (secrets <redacted>). */
static int emit_cred(yaml_emitter_t *em, const struct sr_cred *c)
{
	const char *k[6] = {"username",	    "password", "password_file",
			    "password_env", "realm",	"ha1"};
	const char *v[6] = {c->username,      c->password ? "<redacted>" : NULL,
			    c->password_file, c->password_env,
			    c->realm,	      c->ha1 ? "<redacted>" : NULL};
	yaml_event_t ev;
	size_t i;
	int rc = 0;

	yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_FLOW_MAPPING_STYLE);
	rc |= yaml_emitter_emit(em, &ev) ? 0 : -1;
	for (i = 0; i < 6; i++)
		if (v[i])
			rc |= emit_kv(em, k[i], v[i]);
	yaml_mapping_end_event_initialize(&ev);
	rc |= yaml_emitter_emit(em, &ev) ? 0 : -1;
	return rc;
}

/* Several credentials: outbound_auth as a list, the registration's own
 * credential keys first. */
static int emit_auth_list(yaml_emitter_t *em, const struct sr_reg *r)
{
	yaml_event_t ev;
	char buf[64];
	size_t i;
	int rc = emit_scalar(em, "outbound_auth");

	yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
	rc |= yaml_emitter_emit(em, &ev) ? 0 : -1;
	yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_FLOW_MAPPING_STYLE);
	rc |= yaml_emitter_emit(em, &ev) ? 0 : -1;
	for (i = 0; i < sr_options_count; i++) {
		const struct sr_option *o = &sr_options[i];
		const char *s =
		    o->credential ? sr_option_format(o, r, NULL, buf, sizeof buf) : NULL;

		if (s)
			rc |= emit_kv(em, o->key, s);
	}
	yaml_mapping_end_event_initialize(&ev);
	rc |= yaml_emitter_emit(em, &ev) ? 0 : -1;
	for (i = 0; i < r->n_more_auth; i++)
		rc |= emit_cred(em, &r->more_auth[i]);
	yaml_sequence_end_event_initialize(&ev);
	rc |= yaml_emitter_emit(em, &ev) ? 0 : -1;
	return rc;
}

/* Every registration key of the table, from its row: a new key is dumped
 * without code here. */
static int emit_reg(yaml_emitter_t *em, const struct sr_reg *r)
{
	yaml_event_t ev;
	size_t i;
	char buf[64];
	int rc = 0;

	yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
	if (!yaml_emitter_emit(em, &ev))
		return -1;
	for (i = 0; i < sr_options_count && rc == 0; i++) {
		const struct sr_option *o = &sr_options[i];
		const char *s;

		if (o->scope != SR_SC_KEY || (o->credential && r->n_more_auth))
			continue;
		if (o->type == SR_OT_LIST || o->type == SR_OT_SERVERS) {
			rc |= emit_list(em, o, r);
			continue;
		}
		s = sr_option_format(o, r, NULL, buf, sizeof buf);
		if (s)
			rc |= emit_kv(em, o->key, s);
	}
	if (r->n_more_auth)
		rc |= emit_auth_list(em, r);
	yaml_mapping_end_event_initialize(&ev);
	rc |= yaml_emitter_emit(em, &ev) ? 0 : -1;
	return rc;
}

static int write_out(void *data, unsigned char *buffer, size_t size)
{
	return fwrite(buffer, 1, size, (FILE *)data) == size;
}

int sr_config_dump(FILE *out, const struct sr_reg *regs, size_t n)
{
	yaml_emitter_t em;
	yaml_event_t ev;
	size_t i;
	int rc = 0;

	yaml_emitter_initialize(&em);
	yaml_emitter_set_output(&em, write_out, out);
	yaml_emitter_set_unicode(&em, 1);
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	rc |= yaml_emitter_emit(&em, &ev) ? 0 : -1;
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
	rc |= yaml_emitter_emit(&em, &ev) ? 0 : -1;
	yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
	rc |= yaml_emitter_emit(&em, &ev) ? 0 : -1;
	rc |= emit_scalar(&em, "registrations");
	yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
	rc |= yaml_emitter_emit(&em, &ev) ? 0 : -1;
	for (i = 0; i < n && rc == 0; i++)
		rc |= emit_reg(&em, &regs[i]);
	yaml_sequence_end_event_initialize(&ev);
	rc |= yaml_emitter_emit(&em, &ev) ? 0 : -1;
	yaml_mapping_end_event_initialize(&ev);
	rc |= yaml_emitter_emit(&em, &ev) ? 0 : -1;
	yaml_document_end_event_initialize(&ev, 1);
	rc |= yaml_emitter_emit(&em, &ev) ? 0 : -1;
	yaml_stream_end_event_initialize(&ev);
	rc |= yaml_emitter_emit(&em, &ev) ? 0 : -1;
	yaml_emitter_flush(&em);
	yaml_emitter_delete(&em);
	return rc;
}

char *sr_reg_fingerprint(const struct sr_reg *r)
{
	char *buf = NULL, *hex;
	size_t len = 0;
	unsigned char md[32];
	unsigned int mdlen = 0, i;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	sr_config_dump(f, r, 1);
	/* secrets are redacted in the dump: a changed password still counts */
	fprintf(f, "#%s|%s|%s|%s", r->password ? r->password : "", r->ha1 ? r->ha1 : "",
		r->bearer_token ? r->bearer_token : "", r->local_address ? r->local_address : "");
	fclose(f);
	hex = malloc(65);
	/* keep a digest of it: thousands of registrations, secrets inside */
	EVP_Digest(buf, len, md, &mdlen, EVP_sha256(), NULL);
	explicit_bzero(buf, len);
	free(buf);
	if (!hex)
		return NULL;
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return hex;
}
