/* kiln-json-scan.h: a one-pass JSON validator that picks out a few known values without
 * building a tree (pure, no allocation)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Deeper documents are invalid, so the scan never needs more than a fixed stack. */
#define KILN_JSON_SCAN_MAX_DEPTH 64

typedef enum
{
  KILN_JSON_NONE = 0,   /* not in the document */
  KILN_JSON_NULL,
  KILN_JSON_FALSE,
  KILN_JSON_TRUE,
  KILN_JSON_NUMBER,
  KILN_JSON_STRING,
  KILN_JSON_ARRAY,
  KILN_JSON_OBJECT,
} KilnJsonType;

typedef enum
{
  KILN_JSON_SCAN_OK,        /* valid JSON; every watched container held only listed fields */
  KILN_JSON_SCAN_OTHER,     /* a watched container holds a member or element that is not
                             * listed, or a kept field came twice: the scan stopped there */
  KILN_JSON_SCAN_INVALID,   /* not RFC 8259 JSON (see below) */
} KilnJsonScanResult;

/* What the caller knows of a document, as a tree of static tables. */
typedef struct _KilnJsonField KilnJsonField;

struct _KilnJsonField
{
  const char          *name;     /* a member name, or an array index ("0"); NULL ends a list */
  gsize                length;   /* strlen (name) */
  gint                 slot;     /* where its value is kept in @out; -1: allowed, not kept */
  const KilnJsonField *fields;   /* NULL, or all that the value may hold (it is watched) */
};

#define KILN_JSON_FIELD(name, slot, fields) { (name), sizeof (name) - 1, (slot), (fields) }
#define KILN_JSON_FIELDS_END { NULL, 0, -1, NULL }

typedef struct
{
  KilnJsonType  type;     /* NONE when the field was not in the document */
  const char   *raw;      /* the value as written (with quotes, brackets) */
  gsize         raw_length;
  /* In: NULL, or where a string value is unescaped (appended). Out: unchanged for other
   * types. The text is valid UTF-8 but may hold NUL bytes (written "\u0000"). */
  GString      *string;
} KilnJsonValue;

/* Scans one JSON document of @length bytes (no NUL needed).
 *
 * @fields lists what the root object (or array) may hold. A watched container, the root
 * or one whose field has @fields, may hold only the fields listed, each once if it is kept:
 * else the scan stops with KILN_JSON_SCAN_OTHER. Other containers are only validated. With
 * @fields NULL the scan is a plain validator. Member names are compared as written: one
 * that holds an escape matches no field.
 *
 * @out has @n_out entries, one per slot; set their @string (or NULL) and the scan fills in
 * the rest.
 *
 * Invalid, besides what RFC 8259 forbids: nesting deeper than KILN_JSON_SCAN_MAX_DEPTH, a
 * "\uD800"–"\uDFFF" escape that is not half of a surrogate pair, bytes that are not UTF-8
 * (RFC 8259 §8.1). So every string handed out is valid UTF-8. */
KilnJsonScanResult kiln_json_scan (const char          *json,
                                   gsize                length,
                                   const KilnJsonField *fields,
                                   KilnJsonValue       *out,
                                   guint                n_out);

G_END_DECLS
