/* kiln-core.h: everything libkiln-core offers to the window, kiln-cli and the tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "kiln-chat-stream.h"
#include "kiln-code-extractor.h"
#include "kiln-comparison.h"
#include "kiln-conversion.h"
#include "kiln-diagnostic.h"
#include "kiln-draft-store.h"
#include "kiln-error.h"
#include "kiln-examples.h"
#include "kiln-flag-sets.h"
#include "kiln-format.h"
#include "kiln-history.h"
#include "kiln-hardcode.h"
#include "kiln-history-entry.h"
#include "kiln-input-cases.h"
#include "kiln-json-write.h"
#include "kiln-key-store.h"
#include "kiln-leaderboard.h"
#include "kiln-model-registry.h"
#include "kiln-models.h"
#include "kiln-optimizer.h"
#include "kiln-output-compare.h"
#include "kiln-program.h"
#include "kiln-prompt.h"
#include "kiln-run-config.h"
#include "kiln-run-result.h"
#include "kiln-session.h"
#include "kiln-toolchain.h"

G_BEGIN_DECLS

/* Binds the core's translations; call once at start-up. */
void  kiln_core_init                    (void);

/* The folder of the running executable (from /proc/self/exe, links resolved); NULL when the
 * system does not say. */
char *kiln_core_dup_program_dir         (void);

/* @configured is an absolute path from the build configuration (PKGLIBEXECDIR, DATADIR…).
 * Returns the same place seen from the running program: the folder of the executable plus
 * the path from BINDIR to @configured, so a Kiln installed into any prefix (or moved there)
 * finds its own files. NULL when kiln_core_dup_program_dir() is. */
char *kiln_core_relocate_path           (const char *configured);

/* Makes GSettings find @schema_id where this program's build or installation compiled it:
 * <build>/data when running from the build folder, <prefix>/share/glib-2.0/schemas of the
 * prefix the program is installed in. That folder goes in front of GSETTINGS_SCHEMA_DIR
 * (unless it is on it already), so a build never reads an older installed copy of its
 * schema. Call before anything uses GSettings (GLib reads the variable once). Returns the
 * folder, or NULL when neither holds the schema (then GLib looks only where it always does:
 * GSETTINGS_SCHEMA_DIR and XDG_DATA_DIRS). */
char *kiln_core_add_settings_schema_dir (const char *schema_id);

G_END_DECLS
