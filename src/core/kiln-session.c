/* kiln-session.c: one program's work, driven alike by the window and kiln-cli
 *
 * The session owns what every conversion of one program shares: the run configuration (and
 * a toolchain that follows it), one SoupSession for all streams, one queue through which
 * verifications take turns, and the reference run of the original, made once on first need
 * and reused while the program, its input and the limits stay the same. Streams run side by
 * side; timed runs never overlap.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "kiln-error.h"
#include "kiln-session.h"

struct _KilnSession
{
  GObject         parent_instance;

  KilnRunConfig  *config;
  KilnKeyStore   *keys;
  KilnToolchain  *toolchain;
  SoupSession    *soup;
  KilnQueue      *queue;
  KilnProgram    *program;          /* the program, its cases and their reference runs */
  GListStore     *conversions;
  char           *prompts_dir;

  KilnLanguage    language;
  char           *source;
  char           *input;
  char          **hidden;            /* input cases hidden from the model */
  guint           n_running;

  KilnHistory    *history;
  char           *history_error;
  gint64          comparison_id;     /* the program's row in the history; 0: none yet */
  gboolean        adding_comparison;
  GPtrArray      *unsaved;           /* JsonNode: records waiting for comparison_id */
  GPtrArray      *waiters;           /* GTask of wait_async */
};

G_DEFINE_FINAL_TYPE (KilnSession, kiln_session, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CONFIG,
  PROP_TOOLCHAIN,
  PROP_CONVERSIONS,
  PROP_LANGUAGE,
  PROP_SOURCE,
  PROP_INPUT,
  PROP_N_RUNNING,
  PROP_BUSY,
  PROP_HISTORY,
  PROP_HISTORY_ERROR,
  PROP_HIDDEN_CASES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  CONVERSION_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
kiln_session_dispose (GObject *object)
{
  KilnSession *self = (KilnSession *) object;

  if (self->conversions != NULL)
    kiln_session_stop (self, NULL);

  G_OBJECT_CLASS (kiln_session_parent_class)->dispose (object);
}

static void
kiln_session_finalize (GObject *object)
{
  KilnSession *self = (KilnSession *) object;

  g_clear_object (&self->config);
  g_clear_object (&self->keys);
  g_clear_object (&self->toolchain);
  g_clear_object (&self->soup);
  g_clear_object (&self->queue);
  g_clear_object (&self->program);
  g_clear_object (&self->conversions);
  g_clear_pointer (&self->prompts_dir, g_free);
  g_clear_pointer (&self->source, g_free);
  g_clear_pointer (&self->input, g_free);
  g_clear_pointer (&self->hidden, g_strfreev);
  g_clear_object (&self->history);
  g_clear_pointer (&self->history_error, g_free);
  g_clear_pointer (&self->unsaved, g_ptr_array_unref);
  g_clear_pointer (&self->waiters, g_ptr_array_unref);

  G_OBJECT_CLASS (kiln_session_parent_class)->finalize (object);
}

static void
kiln_session_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  KilnSession *self = KILN_SESSION (object);

  switch (prop_id)
    {
    case PROP_CONFIG:
      g_value_set_object (value, self->config);
      break;
    case PROP_TOOLCHAIN:
      g_value_set_object (value, self->toolchain);
      break;
    case PROP_CONVERSIONS:
      g_value_set_object (value, self->conversions);
      break;
    case PROP_LANGUAGE:
      g_value_set_int (value, self->language);
      break;
    case PROP_SOURCE:
      g_value_set_string (value, self->source);
      break;
    case PROP_INPUT:
      g_value_set_string (value, self->input);
      break;
    case PROP_HIDDEN_CASES:
      g_value_set_boxed (value, self->hidden);
      break;
    case PROP_N_RUNNING:
      g_value_set_uint (value, self->n_running);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->n_running > 0);
      break;
    case PROP_HISTORY:
      g_value_set_object (value, self->history);
      break;
    case PROP_HISTORY_ERROR:
      g_value_set_string (value, self->history_error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiln_session_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  KilnSession *self = KILN_SESSION (object);

  switch (prop_id)
    {
    case PROP_CONFIG:
      self->config = g_value_dup_object (value);
      break;
    case PROP_HISTORY:
      kiln_session_set_history (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiln_session_constructed (GObject *object)
{
  KilnSession *self = (KilnSession *) object;
  g_autofree char *user_agent = g_strdup_printf ("Kiln/%s", PACKAGE_VERSION);
  static const struct {
    const char *config;
    const char *toolchain;
  } bound[] = {
    { "python-interpreter", "python" },
    { "compiler", "compiler" },
    { "compiler-flags", "flags" },
    { "sandbox", "sandbox" },
  };

  G_OBJECT_CLASS (kiln_session_parent_class)->constructed (object);

  if (self->config == NULL)
    self->config = kiln_run_config_new ();

  self->toolchain = kiln_toolchain_new ();
  for (guint i = 0; i < G_N_ELEMENTS (bound); i++)
    g_object_bind_property (self->config, bound[i].config, self->toolchain, bound[i].toolchain,
                            G_BINDING_SYNC_CREATE);

  self->soup = soup_session_new_with_options ("user-agent", user_agent, NULL);
}

static void
kiln_session_class_init (KilnSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = kiln_session_constructed;
  object_class->dispose = kiln_session_dispose;
  object_class->finalize = kiln_session_finalize;
  object_class->get_property = kiln_session_get_property;
  object_class->set_property = kiln_session_set_property;

  properties[PROP_CONFIG] =
    g_param_spec_object ("config", NULL, NULL, KILN_TYPE_RUN_CONFIG,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TOOLCHAIN] =
    g_param_spec_object ("toolchain", NULL, NULL, KILN_TYPE_TOOLCHAIN, ro);
  properties[PROP_CONVERSIONS] =
    g_param_spec_object ("conversions", NULL, NULL, G_TYPE_LIST_MODEL, ro);
  properties[PROP_LANGUAGE] =
    g_param_spec_int ("language", NULL, NULL, 0, KILN_LANGUAGE_CPP, KILN_LANGUAGE_PYTHON, ro);
  properties[PROP_SOURCE] = g_param_spec_string ("source", NULL, NULL, NULL, ro);
  properties[PROP_INPUT] = g_param_spec_string ("input", NULL, NULL, NULL, ro);
  properties[PROP_HIDDEN_CASES] =
    g_param_spec_boxed ("hidden-cases", NULL, NULL, G_TYPE_STRV, ro);
  properties[PROP_N_RUNNING] =
    g_param_spec_uint ("n-running", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_BUSY] = g_param_spec_boolean ("busy", NULL, NULL, FALSE, ro);
  properties[PROP_HISTORY] =
    g_param_spec_object ("history", NULL, NULL, KILN_TYPE_HISTORY,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HISTORY_ERROR] =
    g_param_spec_string ("history-error", NULL, NULL, NULL, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[CONVERSION_FINISHED] =
    g_signal_new ("conversion-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, KILN_TYPE_CONVERSION);
}

static void
kiln_session_init (KilnSession *self)
{
  self->conversions = g_list_store_new (KILN_TYPE_CONVERSION);
  self->queue = kiln_queue_new ();
  self->source = g_strdup ("");
  self->input = g_strdup ("");
  self->hidden = g_new0 (char *, 1);
  self->unsaved = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  self->waiters = g_ptr_array_new_with_free_func (g_object_unref);
}

KilnSession *
kiln_session_new (KilnRunConfig *config,
                  KilnKeyStore  *keys)
{
  KilnSession *self;

  g_return_val_if_fail (!config || KILN_IS_RUN_CONFIG (config), NULL);
  g_return_val_if_fail (!keys || KILN_IS_KEY_STORE (keys), NULL);

  self = g_object_new (KILN_TYPE_SESSION, "config", config, NULL);
  self->keys = keys != NULL ? g_object_ref (keys) : NULL;

  return self;
}

void
kiln_session_set_key_store (KilnSession  *self,
                            KilnKeyStore *keys)
{
  g_return_if_fail (KILN_IS_SESSION (self));
  g_return_if_fail (!keys || KILN_IS_KEY_STORE (keys));

  g_set_object (&self->keys, keys);
}

KilnRunConfig *
kiln_session_get_config (KilnSession *self)
{
  g_return_val_if_fail (KILN_IS_SESSION (self), NULL);
  return self->config;
}

KilnToolchain *
kiln_session_get_toolchain (KilnSession *self)
{
  g_return_val_if_fail (KILN_IS_SESSION (self), NULL);
  return self->toolchain;
}

GListModel *
kiln_session_get_conversions (KilnSession *self)
{
  g_return_val_if_fail (KILN_IS_SESSION (self), NULL);
  return G_LIST_MODEL (self->conversions);
}

SoupSession *
kiln_session_get_soup_session (KilnSession *self)
{
  g_return_val_if_fail (KILN_IS_SESSION (self), NULL);
  return self->soup;
}

KilnLanguage
kiln_session_get_language (KilnSession *self)
{
  g_return_val_if_fail (KILN_IS_SESSION (self), KILN_LANGUAGE_PYTHON);
  return self->language;
}

const char *
kiln_session_get_source (KilnSession *self)
{
  g_return_val_if_fail (KILN_IS_SESSION (self), NULL);
  return self->source;
}

const char *
kiln_session_get_input (KilnSession *self)
{
  g_return_val_if_fail (KILN_IS_SESSION (self), NULL);
  return self->input;
}

guint
kiln_session_get_n_running (KilnSession *self)
{
  g_return_val_if_fail (KILN_IS_SESSION (self), 0);
  return self->n_running;
}

gboolean
kiln_session_get_busy (KilnSession *self)
{
  g_return_val_if_fail (KILN_IS_SESSION (self), FALSE);
  return self->n_running > 0;
}

KilnHistory *
kiln_session_get_history (KilnSession *self)
{
  g_return_val_if_fail (KILN_IS_SESSION (self), NULL);
  return self->history;
}

void
kiln_session_set_history (KilnSession *self,
                          KilnHistory *history)
{
  g_return_if_fail (KILN_IS_SESSION (self));
  g_return_if_fail (!history || KILN_IS_HISTORY (history));

  if (g_set_object (&self->history, history))
    {
      self->comparison_id = 0;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HISTORY]);
    }
}

const char *
kiln_session_get_history_error (KilnSession *self)
{
  g_return_val_if_fail (KILN_IS_SESSION (self), NULL);
  return self->history_error;
}

void
kiln_session_set_prompts_dir (KilnSession *self,
                              const char  *dir)
{
  g_return_if_fail (KILN_IS_SESSION (self));

  g_free (self->prompts_dir);
  self->prompts_dir = g_strdup (dir);
}

/* --- the program and its reference ------------------------------------------------------ */

static GBytes *
input_bytes (const char *input)
{
  if (input == NULL || *input == '\0')
    return NULL;
  return g_bytes_new (input, strlen (input));
}

void
kiln_session_set_program (KilnSession  *self,
                          KilnLanguage  language,
                          const char   *source,
                          const char   *input)
{
  g_return_if_fail (KILN_IS_SESSION (self));
  g_return_if_fail (source != NULL);

  if (input == NULL)
    input = "";
  if (self->language == language && g_str_equal (self->source, source) &&
      g_str_equal (self->input, input))
    return;

  g_object_freeze_notify (G_OBJECT (self));
  if (self->language != language)
    {
      self->language = language;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LANGUAGE]);
    }
  if (!g_str_equal (self->source, source))
    {
      g_free (self->source);
      self->source = g_strdup (source);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOURCE]);
    }
  if (!g_str_equal (self->input, input))
    {
      g_free (self->input);
      self->input = g_strdup (input);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INPUT]);
    }
  /* Another program is another comparison. */
  self->comparison_id = 0;
  g_ptr_array_set_size (self->unsaved, 0);
  g_object_thaw_notify (G_OBJECT (self));
}

/* Every input case: the shown one first. */
static char **
dup_cases (KilnSession *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_strv_builder_add (builder, self->input);
  g_strv_builder_addv (builder, (const char **) self->hidden);
  return g_strv_builder_end (builder);
}

/* The program, its cases and their references: kept while they do not change, and given the
 * config as it is now (references stay while their limits do). */
static KilnProgram *
ensure_program (KilnSession *self)
{
  g_auto(GStrv) cases = dup_cases (self);

  if (self->program == NULL ||
      !kiln_program_matches (self->program, self->language, self->source,
                             (const char * const *) cases))
    {
      g_clear_object (&self->program);
      self->program = kiln_program_new (self->toolchain, self->language, self->source,
                                        (const char * const *) cases);
    }
  kiln_program_apply_config (self->program, self->config);
  return self->program;
}

static KilnReference *
ensure_reference (KilnSession *self)
{
  return kiln_program_get_reference (ensure_program (self), 0);
}

KilnProgram *
kiln_session_get_program (KilnSession *self)
{
  g_return_val_if_fail (KILN_IS_SESSION (self), NULL);
  return ensure_program (self);
}

void
kiln_session_set_hidden_cases (KilnSession        *self,
                               const char * const *cases)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) hidden = NULL;

  g_return_if_fail (KILN_IS_SESSION (self));

  /* An empty case hides nothing. */
  for (guint i = 0; cases != NULL && cases[i] != NULL; i++)
    if (*cases[i] != '\0')
      g_strv_builder_add (builder, cases[i]);
  hidden = g_strv_builder_end (builder);
  if (g_strv_equal ((const char * const *) hidden, (const char * const *) self->hidden))
    return;

  g_strfreev (self->hidden);
  self->hidden = g_steal_pointer (&hidden);
  /* Other cases make another comparison. */
  self->comparison_id = 0;
  g_ptr_array_set_size (self->unsaved, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HIDDEN_CASES]);
}

const char * const *
kiln_session_get_hidden_cases (KilnSession *self)
{
  g_return_val_if_fail (KILN_IS_SESSION (self), NULL);
  return (const char * const *) self->hidden;
}

void
kiln_session_offer_reference (KilnSession   *self,
                              KilnLanguage   language,
                              const char    *source,
                              const char    *input,
                              KilnRunResult *result)
{
  g_autoptr(GBytes) bytes = input_bytes (input);
  KilnReference *reference;

  g_return_if_fail (KILN_IS_SESSION (self));
  g_return_if_fail (result != NULL);

  if (self->language != language || g_strcmp0 (self->source, source) != 0 ||
      g_strcmp0 (self->input, input != NULL ? input : "") != 0)
    return;

  reference = ensure_reference (self);
  if (kiln_reference_matches (reference, language, source, bytes, NULL))
    kiln_reference_offer (reference, result);
}

KilnRunResult *
kiln_session_get_reference_result (KilnSession *self)
{
  g_return_val_if_fail (KILN_IS_SESSION (self), NULL);

  return kiln_reference_get_result (ensure_reference (self));
}

/* --- the history ------------------------------------------------------------------------ */

static void
set_history_error (KilnSession  *self,
                   const GError *error)
{
  const char *message = error != NULL ? error->message : NULL;

  if (g_strcmp0 (self->history_error, message) == 0)
    return;
  g_free (self->history_error);
  self->history_error = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HISTORY_ERROR]);
}

static void
conversion_saved_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(KilnSession) self = user_data;
  g_autoptr(GError) error = NULL;

  if (kiln_history_add_conversion_finish (KILN_HISTORY (object), result, &error) <= 0)
    set_history_error (self, error);
  else
    set_history_error (self, NULL);
}

static void
save_unsaved (KilnSession *self)
{
  g_autoptr(GPtrArray) records = g_steal_pointer (&self->unsaved);

  self->unsaved = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  for (guint i = 0; i < records->len; i++)
    kiln_history_add_conversion_async (self->history, self->comparison_id,
                                       g_ptr_array_index (records, i), NULL,
                                       conversion_saved_cb, g_object_ref (self));
}

typedef struct
{
  KilnSession *self;
  KilnHistory *history;
  char        *source;
  char        *input;
} ComparisonData;

static void
comparison_data_free (ComparisonData *data)
{
  g_object_unref (data->self);
  g_object_unref (data->history);
  g_free (data->source);
  g_free (data->input);
  g_free (data);
}

static void
comparison_saved_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  ComparisonData *data = user_data;
  KilnSession *self = data->self;
  g_autoptr(GError) error = NULL;
  gint64 id;

  id = kiln_history_add_comparison_finish (KILN_HISTORY (object), result, &error);
  self->adding_comparison = FALSE;

  /* The program changed, or the history did, while it was being written. */
  if (self->history == data->history && g_str_equal (self->source, data->source) &&
      g_str_equal (self->input, data->input))
    {
      if (id <= 0)
        {
          set_history_error (self, error);
          g_ptr_array_set_size (self->unsaved, 0);
        }
      else
        {
          self->comparison_id = id;
          save_unsaved (self);
        }
    }
  comparison_data_free (data);
}

static void
record (KilnSession    *self,
        KilnConversion *conversion)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) comparison = NULL;
  ComparisonData *data;

  if (self->history == NULL || kiln_conversion_get_restored (conversion))
    return;

  g_ptr_array_add (self->unsaved, kiln_conversion_to_record (conversion));
  if (self->comparison_id > 0)
    {
      save_unsaved (self);
      return;
    }
  if (self->adding_comparison)
    return;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "language");
  json_builder_add_string_value (builder, kiln_language_to_string (self->language));
  json_builder_set_member_name (builder, "source");
  json_builder_add_string_value (builder, self->source);
  json_builder_set_member_name (builder, "input");
  json_builder_add_string_value (builder, self->input);
  json_builder_set_member_name (builder, "run_config");
  json_builder_add_value (builder, kiln_run_config_to_json (self->config));
  json_builder_set_member_name (builder, "kiln_version");
  json_builder_add_string_value (builder, PACKAGE_VERSION);
  json_builder_end_object (builder);
  comparison = json_builder_get_root (builder);

  self->adding_comparison = TRUE;
  data = g_new0 (ComparisonData, 1);
  data->self = g_object_ref (self);
  data->history = g_object_ref (self->history);
  data->source = g_strdup (self->source);
  data->input = g_strdup (self->input);
  kiln_history_add_comparison_async (self->history, comparison, NULL, comparison_saved_cb,
                                     data);
}

/* --- conversions ------------------------------------------------------------------------ */

static void
set_n_running (KilnSession *self,
               guint        n_running)
{
  gboolean was_busy = self->n_running > 0;

  if (self->n_running == n_running)
    return;
  self->n_running = n_running;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_RUNNING]);
  if (was_busy != (n_running > 0))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);

  if (n_running == 0)
    {
      g_autoptr(GPtrArray) waiters = g_steal_pointer (&self->waiters);

      self->waiters = g_ptr_array_new_with_free_func (g_object_unref);
      for (guint i = 0; i < waiters->len; i++)
        g_task_return_boolean (g_ptr_array_index (waiters, i), TRUE);
    }
}

static void
conversion_done_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(KilnSession) self = user_data;
  KilnConversion *conversion = KILN_CONVERSION (object);

  /* The outcome is in the conversion's verdict and error message. */
  kiln_conversion_run_finish (conversion, result, NULL);
  record (self, conversion);
  set_n_running (self, self->n_running - 1);
  g_signal_emit (self, signals[CONVERSION_FINISHED], 0, conversion);
}

typedef struct
{
  KilnSession    *self;
  KilnConversion *conversion;
  GCancellable   *cancellable;
} KeyData;

static void
key_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  KeyData *data = user_data;
  g_autoptr(KilnSession) self = data->self;
  g_autoptr(KilnConversion) conversion = data->conversion;
  g_autoptr(GCancellable) cancellable = data->cancellable;
  g_autoptr(GError) error = NULL;
  char *key;

  g_free (data);
  key = kiln_key_store_lookup_for_model_finish (KILN_KEY_STORE (object), result, NULL, &error);
  if (g_cancellable_is_cancelled (cancellable))
    {
      g_clear_error (&error);
      error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Stopped"));
    }
  if (error != NULL)
    {
      kiln_key_free (key);
      kiln_conversion_fail (conversion, error);
      record (self, conversion);
      set_n_running (self, self->n_running - 1);
      g_signal_emit (self, signals[CONVERSION_FINISHED], 0, conversion);
      return;
    }

  kiln_conversion_set_api_key (conversion, key);
  kiln_key_free (key);
  kiln_conversion_run_async (conversion, cancellable, conversion_done_cb, g_object_ref (self));
}

static void
remove_conversion (KilnSession *self,
                   guint        position)
{
  g_autoptr(KilnConversion) conversion = g_list_model_get_item (G_LIST_MODEL (self->conversions),
                                                                position);

  kiln_conversion_stop (conversion);
  g_object_set_data (G_OBJECT (conversion), "kiln-session-cancellable", NULL);
  g_list_store_remove (self->conversions, position);
}

KilnConversion *
kiln_session_convert (KilnSession *self,
                      KilnModel   *model)
{
  g_autoptr(KilnConversion) conversion = NULL;
  g_autoptr(GBytes) input = NULL;
  GCancellable *cancellable;
  KeyData *data;

  g_return_val_if_fail (KILN_IS_SESSION (self), NULL);
  g_return_val_if_fail (model != NULL, NULL);

  /* One conversion per model, all of the same program. */
  for (guint i = g_list_model_get_n_items (G_LIST_MODEL (self->conversions)); i > 0; i--)
    {
      g_autoptr(KilnConversion) other = g_list_model_get_item (G_LIST_MODEL (self->conversions),
                                                               i - 1);
      g_auto(GStrv) cases = dup_cases (self);
      KilnProgram *theirs = kiln_conversion_get_program (other);
      gboolean same_program =
        theirs != NULL && kiln_program_matches (theirs, self->language, self->source,
                                                (const char * const *) cases);

      if (!same_program || g_strcmp0 (kiln_conversion_get_model_id (other), model->id) == 0)
        remove_conversion (self, i - 1);
    }

  input = input_bytes (self->input);
  conversion = kiln_conversion_new (self->toolchain, model, NULL, self->language,
                                    self->source, input);
  kiln_conversion_apply_config (conversion, self->config);
  kiln_conversion_set_session (conversion, self->soup);
  kiln_conversion_set_verify_queue (conversion, self->queue);
  kiln_conversion_set_program (conversion, ensure_program (self));
  if (self->prompts_dir != NULL)
    kiln_conversion_set_prompts_dir (conversion, self->prompts_dir);

  cancellable = g_cancellable_new ();
  /* Stopping before the key arrives must stop it too. */
  g_object_set_data_full (G_OBJECT (conversion), "kiln-session-cancellable", cancellable,
                          g_object_unref);
  g_list_store_append (self->conversions, conversion);
  set_n_running (self, self->n_running + 1);

  if (self->keys == NULL)
    {
      kiln_conversion_run_async (conversion, cancellable, conversion_done_cb,
                                 g_object_ref (self));
      return conversion;
    }

  data = g_new0 (KeyData, 1);
  data->self = g_object_ref (self);
  data->conversion = g_object_ref (conversion);
  data->cancellable = g_object_ref (cancellable);
  kiln_key_store_lookup_for_model_async (self->keys, model, cancellable, key_cb, data);

  return conversion;
}

void
kiln_session_stop (KilnSession    *self,
                   KilnConversion *conversion)
{
  g_return_if_fail (KILN_IS_SESSION (self));
  g_return_if_fail (!conversion || KILN_IS_CONVERSION (conversion));

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->conversions)); i++)
    {
      g_autoptr(KilnConversion) item = g_list_model_get_item (G_LIST_MODEL (self->conversions), i);
      GCancellable *cancellable;

      if (conversion != NULL && item != conversion)
        continue;
      cancellable = g_object_get_data (G_OBJECT (item), "kiln-session-cancellable");
      if (cancellable != NULL)
        g_cancellable_cancel (cancellable);
      kiln_conversion_stop (item);
    }
}

void
kiln_session_clear (KilnSession *self)
{
  g_return_if_fail (KILN_IS_SESSION (self));

  kiln_session_stop (self, NULL);
  g_list_store_remove_all (self->conversions);
}

void
kiln_session_wait_async (KilnSession         *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (KILN_IS_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kiln_session_wait_async);
  if (self->n_running == 0)
    g_task_return_boolean (task, TRUE);
  else
    g_ptr_array_add (self->waiters, g_steal_pointer (&task));
}

gboolean
kiln_session_wait_finish (KilnSession   *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (KILN_IS_SESSION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
kiln_session_restore (KilnSession  *self,
                      JsonNode     *comparison,
                      GError      **error)
{
  g_autoptr(GPtrArray) restored = g_ptr_array_new_with_free_func (g_object_unref);
  JsonObject *object;
  JsonArray *conversions;
  const char *language_name, *source, *input;
  KilnLanguage language;

  g_return_val_if_fail (KILN_IS_SESSION (self), FALSE);
  g_return_val_if_fail (comparison != NULL, FALSE);

  if (!JSON_NODE_HOLDS_OBJECT (comparison) ||
      !(object = json_node_get_object (comparison)) ||
      !json_object_has_member (object, "source") ||
      !JSON_NODE_HOLDS_VALUE (json_object_get_member (object, "source")) ||
      !json_object_has_member (object, "conversions") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "conversions")))
    {
      g_set_error_literal (error, KILN_ERROR, KILN_ERROR_BAD_RESPONSE,
                           _("This saved comparison could not be read: it has no program "
                             "or no conversions."));
      return FALSE;
    }

  language_name = json_object_get_string_member_with_default (object, "language", "python");
  source = json_object_get_string_member_with_default (object, "source", "");
  input = json_object_get_string_member_with_default (object, "input", "");
  language = g_str_equal (language_name, "cpp") ? KILN_LANGUAGE_CPP : KILN_LANGUAGE_PYTHON;

  conversions = json_object_get_array_member (object, "conversions");
  for (guint i = 0; i < json_array_get_length (conversions); i++)
    {
      KilnConversion *conversion =
        kiln_conversion_new_from_record (json_array_get_element (conversions, i), error);

      if (conversion == NULL)
        return FALSE;
      g_ptr_array_add (restored, conversion);
    }

  kiln_session_clear (self);
  kiln_session_set_program (self, language, source, input);
  self->comparison_id = json_object_get_int_member_with_default (object, "id", 0);
  g_list_store_splice (self->conversions, 0, 0, restored->pdata, restored->len);

  return TRUE;
}
