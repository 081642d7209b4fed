/* fuzz-models.c: the models.json loader
 *
 * Input: a models.json document. Invariants, from kiln-models.h: a document that cannot be
 * read leaves the models alone and gives exactly one error; otherwise no more models than
 * entries, each with a unique non-empty id, its values in their documented ranges and the
 * origin given, and every error in the KILN_ERROR domain naming the origin.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "kiln-error.h"
#include "kiln-fuzz.h"
#include "kiln-models.h"

#define ORIGIN "fuzz/models.json"

static void
check_model (const KilnModel *model,
             GHashTable      *ids)
{
  g_autoptr(KilnModel) copy = NULL;
  gsize length;

  kiln_fuzz_check (model->id != NULL && *model->id != '\0');
  kiln_fuzz_check (g_hash_table_add (ids, model->id));
  kiln_fuzz_check (model->label != NULL && *model->label != '\0');
  kiln_fuzz_check (model->provider != NULL && *model->provider != '\0');
  kiln_fuzz_check (model->model != NULL);
  kiln_fuzz_check (g_utf8_validate (model->id, -1, NULL));
  kiln_fuzz_check (g_utf8_validate (model->label, -1, NULL));
  kiln_fuzz_check (g_utf8_validate (model->provider, -1, NULL));
  kiln_fuzz_check (g_utf8_validate (model->model, -1, NULL));
  kiln_fuzz_check (model->api <= KILN_API_OLLAMA);
  kiln_fuzz_check (model->base_url != NULL);
  length = strlen (model->base_url);
  kiln_fuzz_check (length == 0 || model->base_url[length - 1] != '/');
  kiln_fuzz_check (model->key_env == NULL || *model->key_env != '\0');
  kiln_fuzz_check ((model->api == KILN_API_TGI) == (model->chat_template != NULL));
  kiln_fuzz_check (model->max_tokens >= 0 && model->max_tokens <= 10000000);
  kiln_fuzz_check (model->max_retries <= 10);
  kiln_fuzz_check (model->temperature == -1 ||
                   (model->temperature >= 0 && model->temperature <= 2));
  kiln_fuzz_check (model->price_in_per_mtok == -1 ||
                   (model->price_in_per_mtok >= 0 && model->price_in_per_mtok <= 10000));
  kiln_fuzz_check (model->price_out_per_mtok == -1 ||
                   (model->price_out_per_mtok >= 0 && model->price_out_per_mtok <= 10000));
  kiln_fuzz_check (g_strcmp0 (model->origin, ORIGIN) == 0);

  copy = kiln_model_copy (model);
  kiln_fuzz_check (strcmp (copy->id, model->id) == 0);
  kiln_fuzz_check (kiln_model_is_local (copy) == kiln_model_is_local (model));
}

void
kiln_fuzz_models (const uint8_t *data,
                  size_t         size)
{
  g_autoptr(GPtrArray) models = g_ptr_array_new_with_free_func ((GDestroyNotify) kiln_model_unref);
  g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  KilnModel *sentinel = kiln_model_new ();
  gboolean ok;

  /* What the caller had before must stay as it was */
  g_ptr_array_add (models, sentinel);

  ok = kiln_models_parse ((const char *) data, size, ORIGIN, models, errors);

  kiln_fuzz_check (g_ptr_array_index (models, 0) == sentinel);
  if (!ok)
    {
      kiln_fuzz_check (errors->len == 1);
      kiln_fuzz_check (models->len == 1);
    }

  for (guint i = 1; i < models->len; i++)
    check_model (g_ptr_array_index (models, i), ids);

  for (guint i = 0; i < errors->len; i++)
    {
      const GError *error = g_ptr_array_index (errors, i);

      kiln_fuzz_check (error->domain == KILN_ERROR);
      kiln_fuzz_check (error->code == KILN_ERROR_BAD_MODEL_ENTRY ||
                       error->code == KILN_ERROR_INSECURE_URL);
      kiln_fuzz_check (g_str_has_prefix (error->message, ORIGIN));
      kiln_fuzz_check (g_utf8_validate (error->message, -1, NULL));
    }
}

KILN_FUZZ_DEFINE_MAIN (kiln_fuzz_models)
