/* test-chat-template.c: raw prompts, byte for byte as the models' own templates write them
 *
 * The fixtures in fixtures/chat-templates/ were rendered from each model's published
 * tokenizer_config.json chat template with jinja2 (trim_blocks and lstrip_blocks on, as
 * transformers renders them) and add_generation_prompt=True.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "kiln-chat-template.h"
#include "kiln-error.h"
#include "kiln-model.h"

#define SYSTEM "You are a careful programmer. Answer with one complete program in a single " \
               "fenced code block — no explanations."
/* a trailing newline and surrounding spaces: llama3 and gemma trim turns, the others not */
#define USER1 "Write a Python program that prints the first 10 primes.\n"
#define ASSISTANT "```python\nprimes = []\nn = 2\nwhile len(primes) < 10:\n" \
                  "    if all(n % p for p in primes):\n        primes.append(n)\n" \
                  "    n += 1\nprint(*primes)\n```"
#define USER2 "  Now in C++, reading the count from stdin.  "

static GPtrArray *
conversation (int first_role,
              ...)
{
  GPtrArray *messages = g_ptr_array_new_with_free_func ((GDestroyNotify) kiln_chat_message_free);
  va_list args;
  int role = first_role;

  va_start (args, first_role);
  while (role >= 0)
    {
      const char *content = va_arg (args, const char *);

      g_ptr_array_add (messages, kiln_chat_message_new ((KilnRole) role, content));
      role = va_arg (args, int);
    }
  va_end (args);

  return messages;
}

static GPtrArray *
single_turn (void)
{
  return conversation (KILN_ROLE_SYSTEM, SYSTEM, KILN_ROLE_USER, USER1, -1);
}

static GPtrArray *
with_history (void)
{
  return conversation (KILN_ROLE_SYSTEM, SYSTEM, KILN_ROLE_USER, USER1,
                       KILN_ROLE_ASSISTANT, ASSISTANT, KILN_ROLE_USER, USER2, -1);
}

static void
assert_fixture (const char *name,
                const char *suffix,
                GPtrArray  *messages)
{
  g_autofree char *file = g_strconcat (name, suffix, ".txt", NULL);
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", "chat-templates",
                                                 file, NULL);
  g_autofree char *expected = NULL;
  g_autofree char *prompt = NULL;
  g_autoptr(GError) error = NULL;
  gsize expected_len;

  g_file_get_contents (path, &expected, &expected_len, &error);
  g_assert_no_error (error);

  prompt = kiln_chat_template_render (name, messages, &error);
  g_assert_no_error (error);
  g_assert_nonnull (prompt);

  g_assert_cmpstr (prompt, ==, expected);
  g_assert_cmpuint (strlen (prompt), ==, expected_len);
}

static void
test_fixture (gconstpointer data)
{
  const char *name = data;
  g_autoptr(GPtrArray) one = single_turn ();
  g_autoptr(GPtrArray) history = with_history ();

  assert_fixture (name, "", one);
  assert_fixture (name, "-history", history);
}

static void
test_list (void)
{
  const char * const *names = kiln_chat_templates_list ();
  static const char * const expected[] = {
    "chatml", "llama3", "gemma", "mistral", "deepseek-coder", "phi3", NULL,
  };

  g_assert_cmpstrv (names, expected);
  for (guint i = 0; names[i] != NULL; i++)
    g_assert_true (kiln_chat_template_exists (names[i]));

  g_assert_false (kiln_chat_template_exists (NULL));
  g_assert_false (kiln_chat_template_exists (""));
  g_assert_false (kiln_chat_template_exists ("ChatML"));
  g_assert_false (kiln_chat_template_exists ("llama2"));
}

static void
test_stop_sequences (void)
{
  static const struct
  {
    const char *name;
    const char *stop[3];
  } cases[] = {
    { "chatml", { "<|im_end|>", "<|endoftext|>", NULL } },
    { "llama3", { "<|eot_id|>", "<|end_of_text|>", NULL } },
    { "gemma", { "<end_of_turn>", "<eos>", NULL } },
    { "mistral", { "</s>", NULL } },
    { "deepseek-coder", { "<|EOT|>", NULL } },
    { "phi3", { "<|end|>", "<|endoftext|>", NULL } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("%s", cases[i].name);
      g_assert_cmpstrv (kiln_chat_template_stop_sequences (cases[i].name), cases[i].stop);
    }

  g_assert_null (kiln_chat_template_stop_sequences ("vicuna"));
  g_assert_null (kiln_chat_template_stop_sequences (NULL));
}

static void
test_unknown (void)
{
  g_autoptr(GPtrArray) messages = single_turn ();
  g_autoptr(GError) error = NULL;
  g_autofree char *prompt = kiln_chat_template_render ("vicuna", messages, &error);
  g_autoptr(GError) null_error = NULL;
  g_autofree char *null_prompt = kiln_chat_template_render (NULL, messages, &null_error);

  g_assert_null (prompt);
  g_assert_error (error, KILN_ERROR, KILN_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "“vicuna”"));
  for (const char * const *name = kiln_chat_templates_list (); *name != NULL; name++)
    g_assert_nonnull (strstr (error->message, *name));
  g_assert_nonnull (strstr (error->message,
                            "chatml, llama3, gemma, mistral, deepseek-coder, phi3"));

  g_assert_null (null_prompt);
  g_assert_error (null_error, KILN_ERROR, KILN_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (null_error->message, "deepseek-coder"));
}

/* Rendered with jinja2 from the same templates as the fixtures */
static void
test_without_system (void)
{
  static const struct
  {
    const char *name;
    const char *expected;
  } cases[] = {
    { "chatml", "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n" },
    { "llama3", "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
                "<|start_header_id|>assistant<|end_header_id|>\n\n" },
    { "gemma", "<bos><start_of_turn>user\nHi<end_of_turn>\n<start_of_turn>model\n" },
    { "mistral", "<s> [INST] Hi [/INST]" },
    /* the template's own default system prompt (no final period) */
    { "deepseek-coder", "<｜begin▁of▁sentence｜>You are an AI programming assistant, utilizing "
                        "the Deepseek Coder model, developed by Deepseek Company, and you only "
                        "answer questions related to computer science. For politically "
                        "sensitive questions, security and privacy issues, and other "
                        "non-computer science questions, you will refuse to answer\n"
                        "### Instruction:\nHi\n### Response:\n" },
    { "phi3", "<|user|>\nHi<|end|>\n<|assistant|>\n" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) messages = conversation (KILN_ROLE_USER, "Hi", -1);
      g_autoptr(GError) error = NULL;
      g_autofree char *prompt = kiln_chat_template_render (cases[i].name, messages, &error);

      g_test_message ("%s", cases[i].name);
      g_assert_no_error (error);
      g_assert_cmpstr (prompt, ==, cases[i].expected);
    }
}

static void
test_trim_unicode (void)
{
  g_autoptr(GPtrArray) messages = conversation (KILN_ROLE_USER, "\u3000\t héllo \u00a0\n\v", -1);
  g_autoptr(GError) error = NULL;
  g_autofree char *llama = kiln_chat_template_render ("llama3", messages, &error);
  g_autofree char *gemma = kiln_chat_template_render ("gemma", messages, &error);

  g_assert_no_error (error);
  /* Python's str.strip() takes ideographic and no-break spaces too */
  g_assert_nonnull (strstr (llama, "<|end_header_id|>\n\nhéllo<|eot_id|>"));
  g_assert_nonnull (strstr (gemma, "user\nhéllo<end_of_turn>"));
}

static void
test_refused (void)
{
  static const char * const strict[] = { "gemma", "mistral" };

  for (guint i = 0; i < G_N_ELEMENTS (strict); i++)
    {
      g_autoptr(GPtrArray) late_system = conversation (KILN_ROLE_USER, "a",
                                                       KILN_ROLE_ASSISTANT, "b",
                                                       KILN_ROLE_SYSTEM, "c",
                                                       KILN_ROLE_USER, "d", -1);
      g_autoptr(GPtrArray) two_users = conversation (KILN_ROLE_SYSTEM, "s", KILN_ROLE_USER, "a",
                                                     KILN_ROLE_USER, "b", -1);
      g_autoptr(GPtrArray) assistant_first = conversation (KILN_ROLE_SYSTEM, "s",
                                                           KILN_ROLE_ASSISTANT, "a",
                                                           KILN_ROLE_USER, "b", -1);
      GPtrArray *bad[] = { late_system, two_users, assistant_first };

      for (guint j = 0; j < G_N_ELEMENTS (bad); j++)
        {
          g_autoptr(GError) error = NULL;
          g_autofree char *prompt = kiln_chat_template_render (strict[i], bad[j], &error);

          g_test_message ("%s, case %u", strict[i], j);
          g_assert_null (prompt);
          g_assert_error (error, KILN_ERROR, KILN_ERROR_INVALID_ARGUMENT);
          g_assert_nonnull (strstr (error->message, strict[i]));
        }
    }

  /* the others render any order, as their templates do */
  {
    g_autoptr(GPtrArray) two_users = conversation (KILN_ROLE_USER, "a", KILN_ROLE_USER, "b", -1);
    g_autoptr(GError) error = NULL;
    g_autofree char *prompt = kiln_chat_template_render ("chatml", two_users, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (prompt, ==,
                     "<|im_start|>user\na<|im_end|>\n<|im_start|>user\nb<|im_end|>\n"
                     "<|im_start|>assistant\n");
  }
}

static void
test_no_user (void)
{
  for (const char * const *name = kiln_chat_templates_list (); *name != NULL; name++)
    {
      g_autoptr(GPtrArray) empty = conversation (-1);
      g_autoptr(GPtrArray) system_only = conversation (KILN_ROLE_SYSTEM, SYSTEM, -1);
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) system_error = NULL;
      g_autofree char *prompt = kiln_chat_template_render (*name, empty, &error);
      g_autofree char *system_prompt = kiln_chat_template_render (*name, system_only,
                                                                  &system_error);

      g_test_message ("%s", *name);
      g_assert_null (prompt);
      g_assert_error (error, KILN_ERROR, KILN_ERROR_INVALID_ARGUMENT);
      g_assert_null (system_prompt);
      g_assert_error (system_error, KILN_ERROR, KILN_ERROR_INVALID_ARGUMENT);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (const char * const *name = kiln_chat_templates_list (); *name != NULL; name++)
    {
      g_autofree char *path = g_strdup_printf ("/chat-template/fixture/%s", *name);

      g_test_add_data_func (path, *name, test_fixture);
    }
  g_test_add_func ("/chat-template/list", test_list);
  g_test_add_func ("/chat-template/stop-sequences", test_stop_sequences);
  g_test_add_func ("/chat-template/unknown", test_unknown);
  g_test_add_func ("/chat-template/without-system", test_without_system);
  g_test_add_func ("/chat-template/trim-unicode", test_trim_unicode);
  g_test_add_func ("/chat-template/refused", test_refused);
  g_test_add_func ("/chat-template/no-user", test_no_user);

  return g_test_run ();
}
