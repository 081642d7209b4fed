/* kiln-draft-store.h: editor drafts kept in the user's state folder, saved as one types
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* How long kiln_draft_store_queue() waits for more changes before it writes. */
#define KILN_DRAFT_STORE_DELAY_MS 500

#define KILN_TYPE_DRAFT_STORE (kiln_draft_store_get_type ())

G_DECLARE_FINAL_TYPE (KilnDraftStore, kiln_draft_store, KILN, DRAFT_STORE, GObject)

/* @directory: where drafts live; NULL means $XDG_STATE_HOME/kiln. */
KilnDraftStore *kiln_draft_store_new           (GFile               *directory);
GFile          *kiln_draft_store_get_directory (KilnDraftStore      *self);

/* Reads the drafts called @names (file names inside the directory). The result maps each
 * name that exists to its text (invalid UTF-8 replaced); missing files are left out. */
void            kiln_draft_store_load_async    (KilnDraftStore      *self,
                                                const char * const  *names,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
GHashTable     *kiln_draft_store_load_finish   (KilnDraftStore      *self,
                                                GAsyncResult        *result,
                                                GError             **error);

/* Remembers @text as the new content of @name and writes it after
 * KILN_DRAFT_STORE_DELAY_MS without further changes, atomically (write and rename).
 * A failed write emits "save-failed" with the GError. */
void            kiln_draft_store_queue         (KilnDraftStore      *self,
                                                const char          *name,
                                                const char          *text);
/* TRUE while a queued text is not yet on disk. */
gboolean        kiln_draft_store_has_pending   (KilnDraftStore      *self);

/* Writes everything queued now; completes once nothing is pending or being written.
 * The store keeps itself alive until then, so the caller may drop its reference. */
void            kiln_draft_store_flush_async   (KilnDraftStore      *self,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean        kiln_draft_store_flush_finish  (KilnDraftStore      *self,
                                                GAsyncResult        *result,
                                                GError             **error);

/* Input cases kept as one draft: a JSON array of strings. Decoding text that is not such an
 * array gives no cases (NULL); empty strings are dropped either way. */
char          **kiln_draft_store_decode_cases  (const char          *text);
char           *kiln_draft_store_encode_cases  (const char * const  *cases);

G_END_DECLS
