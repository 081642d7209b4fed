/* kiln-fuzz.h: what the fuzzers share: their entry points, and cutting an input into feeds
 *
 * Each fuzz-<target>.c defines kiln_fuzz_<target>(), which runs one input through the core
 * and aborts when an invariant breaks. Built with KILN_FUZZ_MAIN it also defines libFuzzer's
 * LLVMFuzzerTestOneInput(); without it, tests/test-fuzz-regressions.c calls the entry points
 * on the saved crash inputs and the seed corpora.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

G_BEGIN_DECLS

void kiln_fuzz_sse         (const uint8_t *data,
                            size_t         size);
void kiln_fuzz_ndjson      (const uint8_t *data,
                            size_t         size);
void kiln_fuzz_decoder     (const uint8_t *data,
                            size_t         size);
void kiln_fuzz_extractor   (const uint8_t *data,
                            size_t         size);
void kiln_fuzz_diagnostics (const uint8_t *data,
                            size_t         size);
void kiln_fuzz_models      (const uint8_t *data,
                            size_t         size);
void kiln_fuzz_compare     (const uint8_t *data,
                            size_t         size);
void kiln_fuzz_json_scan   (const uint8_t *data,
                            size_t         size);

/* An invariant, checked in every build (g_assert() goes away with G_DISABLE_ASSERT). */
#define kiln_fuzz_check(expr)                                                       \
  G_STMT_START {                                                                    \
    if (G_UNLIKELY (!(expr)))                                                       \
      {                                                                             \
        g_printerr ("%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #expr);    \
        abort ();                                                                   \
      }                                                                             \
  } G_STMT_END

/* Where the feeds of a split run end. The control byte (the input's first) seeds a small
 * xorshift generator and bounds the pieces: from 1 byte (control % 8 == 0, one byte at a
 * time) to 128 bytes long. */
typedef struct
{
  guint32 state;
  gsize   max_piece;
} KilnFuzzCutter;

static inline void
kiln_fuzz_cutter_init (KilnFuzzCutter *self,
                       guint8          control)
{
  self->state = 0x9E3779B9u ^ ((guint32) control * 0x01000193u);
  self->max_piece = (gsize) 1 << (control % 8);
}

/* The length of the next piece, at most @remaining (which is not 0). */
static inline gsize
kiln_fuzz_cutter_next (KilnFuzzCutter *self,
                       gsize           remaining)
{
  guint32 x = self->state;

  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  self->state = x;

  return MIN (remaining, 1 + x % self->max_piece);
}

/* A byte-exact heap copy, so that AddressSanitizer sees any read past the end of a feed;
 * NUL-terminated when @terminate (one byte more). */
static inline char *
kiln_fuzz_copy (const void *data,
                gsize       size,
                gboolean    terminate)
{
  char *copy = g_malloc (terminate ? size + 1 : MAX (size, 1));

  if (size > 0)
    memcpy (copy, data, size);
  if (terminate)
    copy[size] = '\0';

  return copy;
}

#ifdef KILN_FUZZ_MAIN
/* Criticals and warnings are bugs: a fuzzer treats them as crashes. */
#define KILN_FUZZ_DEFINE_MAIN(entry)                                                \
  int LLVMFuzzerInitialize (int *argc, char ***argv);                               \
  int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);                    \
  int                                                                               \
  LLVMFuzzerInitialize (int    *argc,                                               \
                        char ***argv)                                               \
  {                                                                                 \
    g_setenv ("G_SLICE", "always-malloc", FALSE);                                   \
    g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL |               \
                            G_LOG_LEVEL_WARNING);                                   \
    return 0;                                                                       \
  }                                                                                 \
  int                                                                               \
  LLVMFuzzerTestOneInput (const uint8_t *data,                                      \
                          size_t         size)                                      \
  {                                                                                 \
    entry (data, size);                                                             \
    return 0;                                                                       \
  }
#else
#define KILN_FUZZ_DEFINE_MAIN(entry)
#endif

G_END_DECLS
