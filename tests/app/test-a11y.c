/* test-a11y.c: every control has an accessible name, said once; and what a person with no
 * usable model sees first
 *
 * The accessible tree is read through GTK's own test API (gtk_test_accessible_*, public
 * since GTK 4.0): the "label" property and the "labelled-by" relation of each widget. GTK 4.8
 * names a control with its label followed by the labels of its labelled-by relation; that
 * name is what a screen reader says, so that is what is checked.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiln-a11y.h"
#include "kiln-model-row.h"
#include "kiln-preferences-window.h"
#include "kiln-window.h"

/* --- reading the accessible tree --- */

static char *
dup_label (GtkWidget *widget)
{
  char *label;

  if (!gtk_test_accessible_has_property (GTK_ACCESSIBLE (widget),
                                         GTK_ACCESSIBLE_PROPERTY_LABEL))
    return NULL;

  /* Returns the value when it differs from the one given: NULL means "". */
  label = gtk_test_accessible_check_property (GTK_ACCESSIBLE (widget),
                                              GTK_ACCESSIBLE_PROPERTY_LABEL, "");
  return label != NULL ? label : g_strdup ("");
}

static char *
address_of (GtkWidget *widget)
{
  return g_strdup_printf ("%s<%p>", G_OBJECT_TYPE_NAME (widget), widget);
}

/* Every widget under @widget, hidden ones included, by the address GTK prints for the
 * targets of a relation ("GtkLabel<0x…>"). */
static void
index_tree (GHashTable *index,
            GtkWidget  *widget)
{
  g_hash_table_insert (index, address_of (widget), widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    index_tree (index, child);
}

/* The parts of @widget's accessible name, in order: its label, then the label of each
 * widget it is labelled by. An unresolved target is a part "?". */
static GPtrArray *
dup_name_parts (GtkWidget  *widget,
                GHashTable *index)
{
  GPtrArray *parts = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *targets = NULL;
  g_auto(GStrv) addresses = NULL;
  char *label = dup_label (widget);

  if (label != NULL && *label != '\0')
    g_ptr_array_add (parts, label);
  else
    g_free (label);

  if (!gtk_test_accessible_has_relation (GTK_ACCESSIBLE (widget),
                                         GTK_ACCESSIBLE_RELATION_LABELLED_BY))
    return parts;

  targets = gtk_test_accessible_check_relation (GTK_ACCESSIBLE (widget),
                                                GTK_ACCESSIBLE_RELATION_LABELLED_BY, NULL);
  addresses = g_strsplit_set (targets != NULL ? targets : "", " ,", -1);
  for (guint i = 0; addresses[i] != NULL; i++)
    {
      GtkWidget *target;

      if (*addresses[i] == '\0')
        continue;

      target = g_hash_table_lookup (index, addresses[i]);
      if (target == NULL)
        {
          g_ptr_array_add (parts, g_strdup ("?"));
          continue;
        }

      label = dup_label (target);
      if (label != NULL && *label != '\0')
        g_ptr_array_add (parts, label);
      else
        g_free (label);
    }

  return parts;
}

static char *
dup_name (GtkWidget  *widget,
          GHashTable *index)
{
  g_autoptr(GPtrArray) parts = dup_name_parts (widget, index);

  g_ptr_array_add (parts, NULL);
  return g_strjoinv (" ", (char **) parts->pdata);
}

static char *
normalize (const char *text)
{
  g_autofree char *lower = g_utf8_strdown (text, -1);
  g_autoptr(GString) plain = g_string_new (NULL);

  for (const char *p = lower; *p != '\0'; p++)
    if (*p != '_')
      g_string_append_c (plain, *p);

  return g_strstrip (g_string_free (g_steal_pointer (&plain), FALSE));
}

static gboolean
is_interactive (GtkWidget *widget)
{
  switch ((int) gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (widget)))
    {
    case GTK_ACCESSIBLE_ROLE_BUTTON:
    case GTK_ACCESSIBLE_ROLE_CHECKBOX:
    case GTK_ACCESSIBLE_ROLE_COMBO_BOX:
    case GTK_ACCESSIBLE_ROLE_LINK:
    case GTK_ACCESSIBLE_ROLE_MENU_ITEM:
    case GTK_ACCESSIBLE_ROLE_MENU_ITEM_CHECKBOX:
    case GTK_ACCESSIBLE_ROLE_MENU_ITEM_RADIO:
    case GTK_ACCESSIBLE_ROLE_RADIO:
    case GTK_ACCESSIBLE_ROLE_SEARCH_BOX:
    case GTK_ACCESSIBLE_ROLE_SLIDER:
    case GTK_ACCESSIBLE_ROLE_SPIN_BUTTON:
    case GTK_ACCESSIBLE_ROLE_SWITCH:
    case GTK_ACCESSIBLE_ROLE_TAB:
    case GTK_ACCESSIBLE_ROLE_TEXT_BOX:
      /* GTK 4.8 hands a GtkMenuButton's name to the button inside it, which is checked. */
      return !GTK_IS_MENU_BUTTON (widget);

    case GTK_ACCESSIBLE_ROLE_LIST_ITEM:
      /* A row a person activates; GtkListView's rows cannot be named in GTK 4.8. */
      return GTK_IS_LIST_BOX_ROW (widget) &&
             gtk_list_box_row_get_activatable (GTK_LIST_BOX_ROW (widget));

    default:
      return FALSE;
    }
}

static char *
describe_path (GtkWidget *widget)
{
  g_autoptr(GPtrArray) steps = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) path = g_string_new (NULL);

  for (GtkWidget *w = widget; w != NULL; w = gtk_widget_get_parent (w))
    {
      const char *id = gtk_widget_get_name (w);

      /* A name given with gtk_widget_set_name(), else the id in the .ui file. */
      if (g_strcmp0 (id, G_OBJECT_TYPE_NAME (w)) == 0)
        id = gtk_buildable_get_buildable_id (GTK_BUILDABLE (w));
      if (id != NULL && (g_str_equal (id, G_OBJECT_TYPE_NAME (w)) || g_str_has_prefix (id, "___")))
        id = NULL;
      g_ptr_array_insert (steps, 0, id != NULL ? g_strdup_printf ("%s#%s", G_OBJECT_TYPE_NAME (w), id)
                                               : g_strdup (G_OBJECT_TYPE_NAME (w)));
    }

  for (guint i = 0; i < steps->len; i++)
    {
      if (i > 0)
        g_string_append (path, " > ");
      g_string_append (path, g_ptr_array_index (steps, i));
    }

  return g_string_free (g_steal_pointer (&path), FALSE);
}

/* What a person might see to find the widget: its label or tooltip. */
static const char *
visible_hint (GtkWidget *widget)
{
  if (GTK_IS_BUTTON (widget) && gtk_button_get_label (GTK_BUTTON (widget)) != NULL)
    return gtk_button_get_label (GTK_BUTTON (widget));
  if (GTK_IS_BUTTON (widget) && gtk_button_get_icon_name (GTK_BUTTON (widget)) != NULL)
    return gtk_button_get_icon_name (GTK_BUTTON (widget));
  if (gtk_widget_get_tooltip_text (widget) != NULL)
    return gtk_widget_get_tooltip_text (widget);

  return "";
}

typedef struct
{
  GHashTable *index;
  GPtrArray  *problems;
} Walk;

static void
report (Walk       *walk,
        GtkWidget  *widget,
        const char *problem)
{
  g_autofree char *path = describe_path (widget);

  g_ptr_array_add (walk->problems,
                   g_strdup_printf ("%s (%s) at %s: %s", G_OBJECT_TYPE_NAME (widget),
                                    visible_hint (widget), path, problem));
}

static void
check_widget (Walk      *walk,
              GtkWidget *widget)
{
  g_autoptr(GPtrArray) parts = dup_name_parts (widget, walk->index);
  GtkAccessibleRole role = gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (widget));

  /* "0 Exit status": a text read together with its title. */
  if (role == GTK_ACCESSIBLE_ROLE_LABEL &&
      gtk_test_accessible_has_relation (GTK_ACCESSIBLE (widget),
                                        GTK_ACCESSIBLE_RELATION_LABELLED_BY))
    report (walk, widget, "a text labelled by another label is read with its text");

  if (!is_interactive (widget))
    return;

  if (parts->len == 0)
    {
      report (walk, widget, "no accessible name");
      return;
    }

  for (guint i = 0; i < parts->len; i++)
    {
      g_autofree char *a = normalize (g_ptr_array_index (parts, i));

      if (g_str_equal (g_ptr_array_index (parts, i), "?"))
        report (walk, widget, "labelled by a widget outside the tree");

      /* "_Convert Convert", "Edit “Python → C++: system” Edit" */
      for (guint j = i + 1; j < parts->len; j++)
        {
          g_autofree char *b = normalize (g_ptr_array_index (parts, j));
          g_autofree char *name = dup_name (widget, walk->index);
          g_autofree char *problem = g_strdup_printf ("doubled name “%s”", name);

          if (strstr (a, b) != NULL || strstr (b, a) != NULL)
            report (walk, widget, problem);
        }
    }

  /* GTK 4.8 puts a mnemonic label in the name as it is: "_Stop". */
  if (GTK_IS_BUTTON (widget) && gtk_button_get_use_underline (GTK_BUTTON (widget)))
    {
      const char *raw = gtk_button_get_label (GTK_BUTTON (widget));

      for (guint i = 0; raw != NULL && strchr (raw, '_') != NULL && i < parts->len; i++)
        if (g_str_equal (g_ptr_array_index (parts, i), raw))
          report (walk, widget, "the mnemonic underscore is in the name");
    }
}

/* Hidden widgets are not presented to assistive technologies; popovers are walked although
 * they are closed, so what they will show is checked too. */
static void
walk_tree (Walk      *walk,
           GtkWidget *widget)
{
  if (!gtk_widget_get_visible (widget) && !GTK_IS_POPOVER (widget))
    return;

  check_widget (walk, widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    walk_tree (walk, child);
}

/* Problems under @root, one line each. */
static GPtrArray *
find_problems (GtkWidget *root)
{
  Walk walk;

  walk.index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  walk.problems = g_ptr_array_new_with_free_func (g_free);
  index_tree (walk.index, root);
  walk_tree (&walk, root);
  g_hash_table_unref (walk.index);

  return walk.problems;
}

static void
assert_no_problems (GtkWidget  *root,
                    const char *what)
{
  g_autoptr(GPtrArray) problems = find_problems (root);

  for (guint i = 0; i < problems->len; i++)
    g_test_message ("%s", (char *) g_ptr_array_index (problems, i));

  if (problems->len > 0)
    {
      g_autoptr(GString) all = g_string_new (NULL);

      for (guint i = 0; i < problems->len; i++)
        g_string_append_printf (all, "\n  %s", (char *) g_ptr_array_index (problems, i));
      g_error ("%u controls of %s have no accessible name or a doubled one:%s",
               problems->len, what, all->str);
    }
}

static gboolean
problems_mention (GPtrArray  *problems,
                  const char *path_part,
                  const char *problem)
{
  for (guint i = 0; i < problems->len; i++)
    {
      const char *line = g_ptr_array_index (problems, i);

      if (strstr (line, path_part) != NULL && strstr (line, problem) != NULL)
        return TRUE;
    }

  return FALSE;
}

static void
iterate (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* --- the check itself can fail --- */

static void
test_a11y_detects (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *widget;
  GtkWidget *title;
  GtkWidget *value;
  g_autoptr(GPtrArray) problems = NULL;

  gtk_window_set_child (GTK_WINDOW (window), box);

  /* Icon only, nothing else: no name. */
  widget = gtk_button_new_from_icon_name ("list-add-symbolic");
  gtk_widget_set_name (widget, "bare-icon");
  gtk_box_append (GTK_BOX (box), widget);

  widget = gtk_button_new_from_icon_name ("list-add-symbolic");
  gtk_widget_set_name (widget, "named-icon");
  kiln_a11y_set_label (widget, "Add a pattern");
  gtk_box_append (GTK_BOX (box), widget);

  /* A mnemonic: GTK 4.8 names it "_Convert Convert". */
  widget = gtk_button_new_with_mnemonic ("_Convert");
  gtk_widget_set_name (widget, "raw-mnemonic");
  gtk_box_append (GTK_BOX (box), widget);

  widget = gtk_button_new_with_mnemonic ("_Convert");
  gtk_widget_set_name (widget, "fixed-mnemonic");
  kiln_a11y_use_visible_label (widget);
  gtk_box_append (GTK_BOX (box), widget);
  /* It stays fixed when the label changes. */
  gtk_button_set_label (GTK_BUTTON (widget), "_Stop");

  widget = gtk_expander_new_with_mnemonic ("Model _notes");
  gtk_widget_set_name (widget, "raw-expander");
  gtk_box_append (GTK_BOX (box), widget);

  widget = gtk_expander_new_with_mnemonic ("Model _notes");
  gtk_widget_set_name (widget, "named-expander");
  kiln_a11y_name_expander (GTK_EXPANDER (widget));
  gtk_box_append (GTK_BOX (box), widget);

  widget = gtk_drop_down_new_from_strings ((const char * const[]) { "One", "Two", NULL });
  gtk_widget_set_name (widget, "raw-dropdown");
  gtk_box_append (GTK_BOX (box), widget);

  widget = gtk_drop_down_new_from_strings ((const char * const[]) { "One", "Two", NULL });
  gtk_widget_set_name (widget, "named-dropdown");
  kiln_a11y_set_label (widget, "Model: One");
  gtk_box_append (GTK_BOX (box), widget);

  /* "0 Exit status" */
  title = gtk_label_new ("Exit status");
  value = gtk_label_new ("0");
  gtk_widget_set_name (value, "labelled-value");
  gtk_accessible_update_relation (GTK_ACCESSIBLE (value), GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                  title, NULL, -1);
  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), value);

  /* Hidden: not presented, not checked. */
  widget = gtk_button_new_from_icon_name ("list-remove-symbolic");
  gtk_widget_set_name (widget, "hidden-icon");
  gtk_widget_set_visible (widget, FALSE);
  gtk_box_append (GTK_BOX (box), widget);

  gtk_window_present (GTK_WINDOW (window));
  iterate ();

  problems = find_problems (window);
  for (guint i = 0; i < problems->len; i++)
    g_test_message ("%s", (char *) g_ptr_array_index (problems, i));

  g_assert_true (problems_mention (problems, "GtkButton#bare-icon", "no accessible name"));
  g_assert_true (problems_mention (problems, "at GtkWindow > GtkBox > GtkButton#bare-icon",
                                   "no accessible name"));
  g_assert_false (problems_mention (problems, "#named-icon", ""));
  g_assert_true (problems_mention (problems, "#raw-mnemonic", "doubled name “_Convert Convert”"));
  g_assert_true (problems_mention (problems, "#raw-mnemonic", "mnemonic underscore"));
  g_assert_false (problems_mention (problems, "#fixed-mnemonic", ""));
  g_assert_true (problems_mention (problems, "#raw-expander", "no accessible name"));
  g_assert_false (problems_mention (problems, "#named-expander", ""));
  g_assert_true (problems_mention (problems, "#raw-dropdown", "no accessible name"));
  g_assert_true (problems_mention (problems, "#raw-dropdown > GtkToggleButton",
                                   "no accessible name"));
  g_assert_false (problems_mention (problems, "#named-dropdown", ""));
  g_assert_true (problems_mention (problems, "#labelled-value", "read with its text"));
  g_assert_false (problems_mention (problems, "#hidden-icon", ""));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* --- an application with models, as a person starts it --- */

typedef struct
{
  char            *dir;
  char            *models_path;
  GtkApplication  *app;
  KilnKeyStore    *key_store;
} AppFixture;

static guint
closed_port (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  /* Bound and never listening: connections are refused. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                         &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_bind (socket, any, FALSE, &error));
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);

  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* Four models: one whose key is in the environment when @with_key, one whose key is not,
 * a local one whose server is not there, and one more of the first provider. */
static void
app_fixture_start (AppFixture *fixture,
                   gboolean    with_key)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *ollama_url = g_strdup_printf ("http://127.0.0.1:%u", closed_port ());
  g_autofree char *openai_url = g_strdup_printf ("http://127.0.0.1:%u/v1", closed_port ());
  g_autofree char *json = NULL;
  g_autoptr(GSettings) settings = g_settings_new ("io.github.kilnapp.Kiln");
  g_autofree char *app_id = NULL;
  static guint n_apps;

  fixture->dir = g_dir_make_tmp ("kiln-test-a11y-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->models_path = g_build_filename (fixture->dir, "models.json", NULL);
  json = g_strdup_printf ("{ \"models\": ["
                          "{ \"id\": \"alpha\", \"label\": \"Alpha\", \"provider\": \"Zeta\", "
                          "  \"api\": \"openai\", \"base_url\": \"https://acme.example/v1\", "
                          "  \"model\": \"a\", \"key_env\": \"KILN_TEST_A11Y_ACME_KEY\" },"
                          "{ \"id\": \"beta\", \"label\": \"Beta\", \"provider\": \"Zeta\", "
                          "  \"api\": \"openai\", \"base_url\": \"https://acme.example/v1\", "
                          "  \"model\": \"b\", \"key_env\": \"KILN_TEST_A11Y_ACME_KEY\" },"
                          "{ \"id\": \"keyless\", \"label\": \"Keyless\", "
                          "  \"provider\": \"Bolt\", \"api\": \"anthropic\", "
                          "  \"base_url\": \"https://bolt.example\", "
                          "  \"model\": \"k\", \"key_env\": \"KILN_TEST_A11Y_BOLT_KEY\" },"
                          "{ \"id\": \"local\", \"label\": \"Local Coder\", "
                          "  \"provider\": \"Ollama (local)\", \"api\": \"ollama\", "
                          "  \"base_url\": \"%s\", \"model\": \"qwen2.5-coder:7b\" }"
                          "] }", ollama_url);
  g_assert_true (g_file_set_contents (fixture->models_path, json, -1, &error));
  g_assert_no_error (error);

  g_setenv ("KILN_MODELS_FILE", fixture->models_path, TRUE);
  g_setenv ("KILN_OLLAMA_URL", ollama_url, TRUE);
  g_setenv ("KILN_LOCAL_OPENAI_URL", openai_url, TRUE);
  if (with_key)
    g_setenv ("KILN_TEST_A11Y_ACME_KEY", "sk-test", TRUE);
  else
    g_unsetenv ("KILN_TEST_A11Y_ACME_KEY");
  g_unsetenv ("KILN_TEST_A11Y_BOLT_KEY");
  g_settings_reset (settings, "model");

  /* Keys from the environment only: no keyring is involved. */
  fixture->key_store = kiln_key_store_new (FALSE);
  /* One id per application: the last one may still be exported on the bus. */
  app_id = g_strdup_printf ("io.github.kilnapp.Kiln.TestA11y%u", ++n_apps);
  fixture->app = g_object_new (KILN_TYPE_APPLICATION,
                               "application-id", app_id,
                               "flags", G_APPLICATION_NON_UNIQUE,
                               "resource-base-path", "/io/github/kilnapp/Kiln",
                               "key-store", fixture->key_store,
                               NULL);
  g_assert_true (g_application_register (G_APPLICATION (fixture->app), NULL, &error));
  g_assert_no_error (error);
}

static void
app_fixture_stop (AppFixture *fixture)
{
  GList *toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    gtk_window_destroy (l->data);
  g_list_free (toplevels);
  iterate ();

  g_clear_object (&fixture->app);
  g_clear_object (&fixture->key_store);
  g_unsetenv ("KILN_MODELS_FILE");
  g_unsetenv ("KILN_OLLAMA_URL");
  g_unsetenv ("KILN_LOCAL_OPENAI_URL");
  g_unsetenv ("KILN_TEST_A11Y_ACME_KEY");
  g_remove (fixture->models_path);
  g_rmdir (fixture->dir);
  g_clear_pointer (&fixture->models_path, g_free);
  g_clear_pointer (&fixture->dir, g_free);
}

typedef gboolean (*Condition) (gpointer data);

static gboolean
tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static void
wait_until (Condition   condition,
            gpointer    data,
            const char *what)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  guint tick = g_timeout_add (50, tick_cb, NULL);

  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Gave up after 30 s waiting for %s", what);
      g_main_context_iteration (NULL, TRUE);
    }

  g_source_remove (tick);
}

static gboolean
window_ready (gpointer data)
{
  KilnWindow *window = data;
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (window));

  return kiln_application_get_models_loaded (KILN_APPLICATION (app)) &&
         kiln_window_get_drafts_loaded (window);
}

static KilnWindow *
open_window (AppFixture *fixture)
{
  KilnWindow *window = kiln_window_new (KILN_APPLICATION (fixture->app));
  KilnModelDropdown *dropdown = kiln_window_get_model_dropdown (window);

  /* What the window is asked to do (see KilnStatusPanel:no-usable-models); bound here too,
   * which changes nothing once the window does it. */
  g_object_bind_property (dropdown, "no-usable-models",
                          kiln_window_get_status_panel (window), "no-usable-models",
                          G_BINDING_SYNC_CREATE);
  gtk_window_present (GTK_WINDOW (window));
  wait_until (window_ready, window, "the models and the drafts");

  return window;
}

static KilnModelItem *
dup_model_at (KilnModelDropdown *dropdown,
              guint              position)
{
  GtkDropDown *drop_down = kiln_model_dropdown_get_drop_down (dropdown);

  return g_list_model_get_item (gtk_drop_down_get_model (drop_down), position);
}

static GtkWidget *
find_widget (GtkWidget  *root,
             GType       type,
             const char *id)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type) &&
      (id == NULL || g_strcmp0 (gtk_buildable_get_buildable_id (GTK_BUILDABLE (root)), id) == 0))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type, id);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static GtkWidget *
find_button_by_icon (GtkWidget  *root,
                     const char *icon_name)
{
  if (GTK_IS_BUTTON (root) && g_strcmp0 (gtk_button_get_icon_name (GTK_BUTTON (root)),
                                         icon_name) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button_by_icon (child, icon_name);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static KilnPreferencesWindow *
find_preferences (void)
{
  GList *toplevels = gtk_window_list_toplevels ();
  KilnPreferencesWindow *found = NULL;

  for (GList *l = toplevels; l != NULL && found == NULL; l = l->next)
    if (KILN_IS_PREFERENCES_WINDOW (l->data))
      found = l->data;
  g_list_free (toplevels);

  return found;
}

static char *
dup_accessible_name (GtkWidget *widget)
{
  g_autoptr(GHashTable) index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  index_tree (index, GTK_WIDGET (gtk_widget_get_root (widget)));
  return dup_name (widget, index);
}

/* --- first run, without a usable model --- */

static gboolean
no_usable_models (gpointer data)
{
  return kiln_model_dropdown_get_no_usable_models (data);
}

static gboolean
some_usable_model (gpointer data)
{
  return !kiln_model_dropdown_get_no_usable_models (data);
}

static void
test_first_run (void)
{
  AppFixture fixture = { 0 };
  KilnWindow *window;
  KilnModelDropdown *dropdown;
  KilnStatusPanel *panel;
  KilnPreferencesWindow *preferences;
  GtkWidget *page;
  GtkWidget *button;
  GtkWidget *group;
  GtkWidget *focus;
  GtkLabel *label;
  g_autofree char *reason = NULL;
  g_autofree char *name = NULL;
  g_autoptr(KilnModelItem) first = NULL;

  app_fixture_start (&fixture, FALSE);
  window = open_window (&fixture);
  dropdown = kiln_window_get_model_dropdown (window);
  panel = kiln_window_get_status_panel (window);

  wait_until (no_usable_models, dropdown, "no usable model");
  g_assert_true (kiln_status_panel_get_no_usable_models (panel));

  /* Convert's tooltip says why. */
  reason = kiln_model_dropdown_dup_unusable_reason (dropdown);
  g_assert_cmpstr (reason, ==,
                   "No model is usable yet: add an API key in Preferences or start Ollama");

  /* The panel says what to do, in the window. */
  page = find_widget (GTK_WIDGET (panel), ADW_TYPE_STATUS_PAGE, "empty_page");
  g_assert_nonnull (page);
  g_assert_true (gtk_widget_is_drawable (page));
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (page)), ==,
                   "No model can convert yet");
  button = find_widget (page, GTK_TYPE_BUTTON, "add_key_button");
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_is_drawable (button));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, "Add an API _Key…");
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), ==,
                   "app.preferences-models");
  g_assert_true (gtk_widget_is_sensitive (button));
  name = dup_accessible_name (button);
  g_assert_cmpstr (name, ==, "Add an API Key…");
  label = GTK_LABEL (find_widget (page, GTK_TYPE_LABEL, "local_model_label"));
  g_assert_true (gtk_widget_is_drawable (GTK_WIDGET (label)));
  g_assert_nonnull (strstr (gtk_label_get_text (label), "ollama serve"));
  g_assert_nonnull (strstr (gtk_label_get_text (label), "ollama pull qwen2.5-coder:7b"));
  g_assert_true (gtk_label_get_selectable (label));
  assert_no_problems (GTK_WIDGET (panel), "the first-run page");

  /* The button opens Preferences on the Models page, with the keys first and focused. */
  g_assert_true (gtk_widget_activate_action (button, "app.preferences-models", NULL));
  preferences = find_preferences ();
  g_assert_nonnull (preferences);
  iterate ();
  page = GTK_WIDGET (adw_preferences_window_get_visible_page (ADW_PREFERENCES_WINDOW (preferences)));
  g_assert_cmpstr (adw_preferences_page_get_title (ADW_PREFERENCES_PAGE (page)), ==, "Models");
  group = find_widget (page, ADW_TYPE_PREFERENCES_GROUP, NULL);
  g_assert_cmpstr (adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (group)), ==,
                   "API Keys");
  focus = gtk_root_get_focus (GTK_ROOT (preferences));
  g_assert_nonnull (focus);
  g_assert_true (gtk_widget_get_ancestor (focus, ADW_TYPE_PASSWORD_ENTRY_ROW) ==
                 kiln_preferences_window_get_key_row (preferences, "KILN_TEST_A11Y_ACME_KEY"));
  gtk_window_destroy (GTK_WINDOW (preferences));

  /* A key arrives: the model is usable, moves to the top, and the page is the usual one. */
  g_setenv ("KILN_TEST_A11Y_ACME_KEY", "sk-test", TRUE);
  g_signal_emit_by_name (fixture.key_store, "changed", "KILN_TEST_A11Y_ACME_KEY");
  wait_until (some_usable_model, dropdown, "a usable model");
  iterate ();
  g_assert_false (kiln_status_panel_get_no_usable_models (panel));
  page = find_widget (GTK_WIDGET (panel), ADW_TYPE_STATUS_PAGE, "empty_page");
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (page)), ==,
                   "Run a program to see its output here");
  g_assert_false (gtk_widget_is_drawable (button));
  first = dup_model_at (dropdown, 0);
  g_assert_true (kiln_model_item_get_available (first));
  g_assert_cmpstr (kiln_model_item_get_provider (first), ==, "Zeta");
  g_clear_pointer (&reason, g_free);
  reason = kiln_model_dropdown_dup_unusable_reason (dropdown);
  g_assert_null (reason);

  app_fixture_stop (&fixture);
}

/* --- the model dropdown --- */

static void
test_dropdown (void)
{
  AppFixture fixture = { 0 };
  KilnWindow *window;
  KilnModelDropdown *dropdown;
  GtkDropDown *drop_down;
  GtkWidget *popover;
  GtkWidget *list;
  const char *expected[] = { "alpha", "beta", "keyless", "local" };
  g_autofree char *reason = NULL;
  g_autofree char *name = NULL;
  guint n_rows = 0;

  app_fixture_start (&fixture, TRUE);
  window = open_window (&fixture);
  dropdown = kiln_window_get_model_dropdown (window);
  drop_down = kiln_model_dropdown_get_drop_down (dropdown);
  g_assert_false (kiln_model_dropdown_get_no_usable_models (dropdown));

  /* Usable first, then by provider, then by label. */
  g_assert_cmpuint (g_list_model_get_n_items (gtk_drop_down_get_model (drop_down)), ==, 4);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(KilnModelItem) item = dup_model_at (dropdown, i);

      g_test_message ("%u: %s (%s)", i, kiln_model_item_get_id (item),
                      kiln_model_item_get_available (item) ? "usable" : "unusable");
      g_assert_cmpstr (kiln_model_item_get_id (item), ==, expected[i]);
    }

  /* The first usable model is shown; its name says which. */
  g_assert_cmpuint (gtk_drop_down_get_selected (drop_down), ==, 0);
  g_assert_null (kiln_model_dropdown_dup_unusable_reason (dropdown));
  name = dup_accessible_name (GTK_WIDGET (drop_down));
  g_assert_cmpstr (name, ==, "Model: Alpha");
  g_clear_pointer (&name, g_free);
  name = dup_accessible_name (gtk_widget_get_first_child (GTK_WIDGET (drop_down)));
  g_assert_cmpstr (name, ==, "Model: Alpha");
  g_clear_pointer (&name, g_free);

  /* An unusable one: the reason names the model and what it lacks. */
  gtk_drop_down_set_selected (drop_down, 2);
  reason = kiln_model_dropdown_dup_unusable_reason (dropdown);
  g_assert_cmpstr (reason, ==,
                   "Keyless is unavailable: Set KILN_TEST_A11Y_BOLT_KEY or add the key in "
                   "Preferences");
  name = dup_accessible_name (GTK_WIDGET (drop_down));
  g_assert_cmpstr (name, ==, "Model: Keyless");
  g_clear_pointer (&name, g_free);

  /* Each row of the list says its model, its provider and, unusable, why. */
  popover = find_widget (GTK_WIDGET (drop_down), GTK_TYPE_POPOVER, NULL);
  g_assert_nonnull (popover);
  gtk_popover_popup (GTK_POPOVER (popover));
  iterate ();
  list = find_widget (popover, GTK_TYPE_LIST_VIEW, NULL);
  g_assert_nonnull (list);
  for (GtkWidget *child = gtk_widget_get_first_child (list);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *row = find_widget (child, KILN_TYPE_MODEL_ROW, NULL);
      KilnModelItem *model;

      if (row == NULL || (model = kiln_model_row_get_item (KILN_MODEL_ROW (row))) == NULL)
        continue;

      name = dup_accessible_name (row);
      g_test_message ("row: %s", name);
      if (kiln_model_item_get_available (model))
        g_assert_null (strstr (name, "unavailable"));
      else
        g_assert_nonnull (strstr (name, "unavailable: "));
      if (g_str_equal (kiln_model_item_get_id (model), "keyless"))
        g_assert_cmpstr (name, ==, "Keyless, Bolt, unavailable: Set KILN_TEST_A11Y_BOLT_KEY "
                                   "or add the key in Preferences");
      if (g_str_equal (kiln_model_item_get_id (model), "alpha"))
        g_assert_cmpstr (name, ==, "Alpha, Zeta");
      g_clear_pointer (&name, g_free);
      n_rows++;
    }
  g_assert_cmpuint (n_rows, ==, 4);
  gtk_popover_popdown (GTK_POPOVER (popover));

  /* The warning sign of the button has a name too. */
  {
    GtkWidget *compact = find_widget (gtk_widget_get_first_child (GTK_WIDGET (drop_down)),
                                      KILN_TYPE_MODEL_ROW, NULL);
    GtkWidget *image = find_widget (compact, GTK_TYPE_IMAGE, "warning_image");

    g_assert_true (gtk_widget_get_visible (image));
    name = dup_accessible_name (image);
    g_assert_cmpstr (name, ==, "Unavailable");
    g_clear_pointer (&name, g_free);
  }

  app_fixture_stop (&fixture);
}

/* --- program reports --- */

static KilnRunResult *
new_result (KilnLanguage language,
            guint        n_lines)
{
  KilnRunResult *result = kiln_run_result_new (language);
  KilnRunStats stats = { 0 };
  g_autoptr(GString) out = g_string_new (NULL);

  stats.wall_seconds = 0.25;
  stats.user_seconds = 0.2;
  stats.max_rss_kib = 10240;
  g_array_append_val (result->runs, stats);
  for (guint i = 0; i < n_lines; i++)
    g_string_append_printf (out, "line %u of a long output\n", i + 1);
  g_bytes_unref (result->stdout_bytes);
  result->stdout_bytes = g_string_free_to_bytes (g_steal_pointer (&out));
  g_bytes_unref (result->stderr_bytes);
  result->stderr_bytes = g_bytes_new_static ("a warning\n", strlen ("a warning\n"));
  result->ok = TRUE;

  if (language == KILN_LANGUAGE_CPP)
    {
      const char *command[] = { "g++", "-O3", "main.cpp", NULL };

      result->compile = kiln_compile_result_new ();
      result->compile->ok = TRUE;
      result->compile->command = g_strdupv ((char **) command);
      g_ptr_array_add (result->compile->diagnostics,
                       kiln_diagnostic_new ("main.cpp", 3, 5, KILN_SEVERITY_WARNING,
                                            "unused variable ‘x’"));
    }

  return result;
}

static void
test_reports (void)
{
  AppFixture fixture = { 0 };
  KilnWindow *window;
  KilnStatusPanel *panel;
  g_autoptr(KilnRunResult) python = new_result (KILN_LANGUAGE_PYTHON, 400);
  g_autoptr(KilnRunResult) cpp = new_result (KILN_LANGUAGE_CPP, 400);
  GtkWidget *view;
  GtkWidget *scroller;
  int height;

  app_fixture_start (&fixture, TRUE);
  window = open_window (&fixture);
  panel = kiln_window_get_status_panel (window);

  /* Runs take turns: the one that waits says so, although it was asked to run. */
  kiln_status_panel_set_running (panel, KILN_LANGUAGE_PYTHON, TRUE);
  kiln_status_panel_set_running (panel, KILN_LANGUAGE_CPP, TRUE);
  kiln_status_panel_set_waiting (panel, KILN_LANGUAGE_CPP, TRUE);
  g_assert_cmpstr (kiln_status_panel_get_state_text (panel, KILN_LANGUAGE_PYTHON), ==,
                   "Running…");
  g_assert_cmpstr (kiln_status_panel_get_state_text (panel, KILN_LANGUAGE_CPP), ==,
                   "Waiting for Python to finish");
  kiln_status_panel_set_running (panel, KILN_LANGUAGE_PYTHON, FALSE);
  kiln_status_panel_set_result (panel, KILN_LANGUAGE_PYTHON, python);
  kiln_status_panel_set_running (panel, KILN_LANGUAGE_CPP, TRUE);
  g_assert_cmpstr (kiln_status_panel_get_state_text (panel, KILN_LANGUAGE_CPP), ==, "Running…");
  kiln_status_panel_set_running (panel, KILN_LANGUAGE_CPP, FALSE);
  kiln_status_panel_set_result (panel, KILN_LANGUAGE_CPP, cpp);
  g_assert_cmpstr (kiln_status_panel_get_state_text (panel, KILN_LANGUAGE_CPP), ==, "");

  kiln_status_panel_set_waiting (panel, KILN_LANGUAGE_PYTHON, TRUE);
  g_assert_cmpstr (kiln_status_panel_get_state_text (panel, KILN_LANGUAGE_PYTHON), ==,
                   "Waiting for the C++ program to finish");
  kiln_status_panel_set_waiting (panel, KILN_LANGUAGE_PYTHON, FALSE);
  iterate ();

  /* A long output scrolls in a view of bounded height, in a fixed-width font, and can be
   * selected; it has its own name. */
  view = find_widget (GTK_WIDGET (panel), GTK_TYPE_TEXT_VIEW, "stdout_view");
  g_assert_nonnull (view);
  g_assert_true (gtk_text_view_get_monospace (GTK_TEXT_VIEW (view)));
  g_assert_false (gtk_text_view_get_editable (GTK_TEXT_VIEW (view)));
  g_assert_true (gtk_widget_get_focusable (view));
  scroller = gtk_widget_get_ancestor (view, GTK_TYPE_SCROLLED_WINDOW);
  height = gtk_widget_get_height (scroller);
  g_test_message ("output view: %d px high for 400 lines", height);
  g_assert_cmpint (height, >, 0);
  g_assert_cmpint (height, <=, gtk_scrolled_window_get_max_content_height (GTK_SCROLLED_WINDOW (scroller)) + 4);
  g_assert_cmpint (gtk_scrolled_window_get_max_content_height (GTK_SCROLLED_WINDOW (scroller)), >=, 200);
  {
    g_autofree char *name = dup_accessible_name (view);

    g_assert_cmpstr (name, ==, "Python output");
  }

  assert_no_problems (GTK_WIDGET (panel), "the status panel with results");
  app_fixture_stop (&fixture);
}

/* The whole window, with results, the first-run page and the model notes. */
static void
test_window (void)
{
  AppFixture fixture = { 0 };
  KilnWindow *window;
  KilnStatusPanel *panel;
  g_autoptr(KilnRunResult) python = new_result (KILN_LANGUAGE_PYTHON, 3);
  g_autoptr(KilnRunResult) cpp = new_result (KILN_LANGUAGE_CPP, 3);

  app_fixture_start (&fixture, FALSE);
  window = open_window (&fixture);
  panel = kiln_window_get_status_panel (window);
  wait_until (no_usable_models, kiln_window_get_model_dropdown (window), "no usable model");
  assert_no_problems (GTK_WIDGET (kiln_window_get_model_dropdown (window)), "the model dropdown");
  assert_no_problems (GTK_WIDGET (panel), "the first-run page");

  kiln_status_panel_set_result (panel, KILN_LANGUAGE_PYTHON, python);
  kiln_status_panel_set_result (panel, KILN_LANGUAGE_CPP, cpp);
  iterate ();
  assert_no_problems (GTK_WIDGET (window), "the window");

  app_fixture_stop (&fixture);
}

/* --- Preferences --- */

static gboolean
row_has_error (gpointer data)
{
  return gtk_widget_has_css_class (data, "error");
}

static void
test_preferences (void)
{
  AppFixture fixture = { 0 };
  KilnWindow *window;
  KilnPreferencesWindow *preferences;
  GtkWidget *row;
  GtkWidget *show = NULL;
  g_autofree char *name = NULL;

  app_fixture_start (&fixture, TRUE);
  window = open_window (&fixture);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "app.preferences-models", NULL));
  preferences = find_preferences ();
  g_assert_nonnull (preferences);
  iterate ();

  /* The show-key button of each key row has a name, which follows what it does. */
  row = kiln_preferences_window_get_key_row (preferences, "KILN_TEST_A11Y_BOLT_KEY");
  g_assert_nonnull (row);
  show = find_button_by_icon (row, "view-reveal-symbolic");
  g_assert_nonnull (show);
  name = dup_accessible_name (show);
  g_assert_cmpstr (name, ==, "Show the key");
  g_clear_pointer (&name, g_free);
  g_signal_emit_by_name (show, "clicked");
  name = dup_accessible_name (show);
  g_assert_cmpstr (name, ==, "Hide the key");
  g_clear_pointer (&name, g_free);
  g_signal_emit_by_name (show, "clicked");

  assert_no_problems (GTK_WIDGET (preferences), "Preferences");

  /* A key that cannot be saved (this key store has no keyring) stays in its field. */
  gtk_editable_set_text (GTK_EDITABLE (row), "sk-typed-by-hand");
  g_signal_emit_by_name (row, "apply");
  wait_until (row_has_error, row, "the failed save");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, "sk-typed-by-hand");

  gtk_window_destroy (GTK_WINDOW (preferences));
  app_fixture_stop (&fixture);
}

/* --- "C++" on one line --- */

static void
test_cpp_together (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *label = gtk_label_new ("Compile and run the C++ program");
  GtkWidget *button = gtk_button_new_with_label ("x");
  PangoLayout *layout;
  const PangoLogAttr *attrs;
  const char *text;
  const char *cpp;
  int n_attrs;
  g_autofree char *markup = NULL;

  gtk_widget_set_tooltip_text (button, "Run the C++ program & compare");
  gtk_window_set_child (GTK_WINDOW (window), label);
  kiln_a11y_keep_cpp_together (window);
  kiln_a11y_keep_cpp_together (button);

  /* No line break between the "+" signs, the text unchanged. */
  gtk_label_set_text (GTK_LABEL (label), "Waiting for the C++ program, then C++ again");
  text = gtk_label_get_text (GTK_LABEL (label));
  g_assert_cmpstr (text, ==, "Waiting for the C++ program, then C++ again");
  layout = gtk_label_get_layout (GTK_LABEL (label));
  attrs = pango_layout_get_log_attrs_readonly (layout, &n_attrs);
  for (cpp = strstr (text, "C++"); cpp != NULL; cpp = strstr (cpp + 3, "C++"))
    {
      glong offset = g_utf8_pointer_to_offset (text, cpp);

      g_assert_true (attrs[offset].is_line_break);
      g_assert_false (attrs[offset + 1].is_line_break);
      g_assert_false (attrs[offset + 2].is_line_break);
    }

  /* The label's other attributes stay, through text changes too. */
  {
    g_autoptr(PangoAttrList) own = pango_attr_list_new ();
    PangoAttribute *bold = pango_attr_weight_new (PANGO_WEIGHT_BOLD);
    PangoAttribute *together = pango_attr_allow_breaks_new (FALSE);
    g_autofree char *listed = NULL;

    together->start_index = 0;
    together->end_index = 6;
    pango_attr_list_insert (own, bold);
    pango_attr_list_insert (own, together);
    gtk_label_set_attributes (GTK_LABEL (label), own);
    gtk_label_set_text (GTK_LABEL (label), "ollama serve, then C++");
    gtk_label_set_text (GTK_LABEL (label), "ollama serve, then C++ and C++");
    listed = pango_attr_list_to_string (gtk_label_get_attributes (GTK_LABEL (label)));
    g_test_message ("%s", listed);
    g_assert_nonnull (strstr (listed, "weight bold"));
    g_assert_nonnull (strstr (listed, "0 6 allow-breaks false"));
    g_assert_nonnull (strstr (listed, "19 22 allow-breaks false"));
    g_assert_nonnull (strstr (listed, "27 30 allow-breaks false"));
  }

  g_assert_cmpstr (gtk_widget_get_tooltip_text (button), ==, "Run the C++ program & compare");
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_markup (button), "allow_breaks"));
  markup = kiln_a11y_markup_keep_cpp_together ("a < C++ & b");
  g_assert_cmpstr (markup, ==, "a &lt; <span allow_breaks=\"false\">C++</span> &amp; b");

  g_object_ref_sink (button);
  g_object_unref (button);
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *home = g_dir_make_tmp ("kiln-test-a11y-home-XXXXXX", &error);
  g_autofree char *state = NULL;
  g_autofree char *cache = NULL;
  g_autofree char *config = NULL;
  int status;

  g_assert_no_error (error);

  /* The user's own drafts, cache and settings stay untouched. */
  state = g_build_filename (home, "state", NULL);
  cache = g_build_filename (home, "cache", NULL);
  config = g_build_filename (home, "config", NULL);
  g_setenv ("XDG_STATE_HOME", state, TRUE);
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  g_setenv ("XDG_DATA_HOME", home, TRUE);
  /* GTK's test accessibility backend: the tree, without an accessibility bus. */
  g_setenv ("GTK_A11Y", "test", TRUE);
  g_setenv ("LANGUAGE", "C", TRUE);

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  kiln_core_init ();

  g_test_add_func ("/a11y/detects", test_a11y_detects);
  g_test_add_func ("/a11y/cpp-together", test_cpp_together);
  g_test_add_func ("/first-run/no-usable-model", test_first_run);
  g_test_add_func ("/a11y/dropdown", test_dropdown);
  g_test_add_func ("/a11y/reports", test_reports);
  g_test_add_func ("/a11y/preferences", test_preferences);
  g_test_add_func ("/a11y/window", test_window);

  status = g_test_run ();

  if (status == 0)
    {
      g_autofree char *quoted = g_shell_quote (home);
      g_autofree char *command = g_strdup_printf ("rm -rf %s", quoted);

      if (system (command) != 0)
        g_test_message ("Could not remove %s", home);
    }

  return status;
}
