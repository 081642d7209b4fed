/* kiln-code-extractor.h: splits a streamed model answer into C++ code and prose (pure)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The extractor is fed the answer's text deltas as they arrive (cut anywhere: inside a
 * fence, inside a line) and keeps two things apart: the CODE, the C++ program that goes into
 * the editor, and the PROSE, everything else, shown as the model's notes. Each byte is
 * looked at a bounded number of times, so the work is linear in the answer.
 *
 * Fences. A fence line is, after any spaces or tabs, a run of at least three "`" or "~",
 * then an optional info string (for "`" fences, one without "`"). Its first word, compared
 * without case, decides the block: "cpp", "c++", "cc", "cxx", "c", "h", "hpp", "hxx",
 * "cplusplus" or nothing (a bare fence) open a CODE BLOCK; other words ("python", "text",
 * "bash", …) open a block that stays in the prose with its fences. Extras after the first
 * word ("```cpp title=main.cpp") are allowed. A block is closed by a line holding only a
 * run of the same character at least as long as the opening run (spaces around allowed).
 * Any other line inside a block, even "```cpp", is content: a C++ string or comment whose
 * line starts with ``` would close the block early (rare; the rest of the program then
 * lands in the prose and the compiler reports the cut).
 *
 * Where each byte goes. Every line of the answer goes to exactly one place:
 * - the fence lines of code blocks (with their line ends) go to neither output;
 * - the lines inside a code block go to that block;
 * - everything else goes to the prose, unchanged (non-C++ blocks with their fences).
 * So the prose, the code blocks and the code fence lines, put back in answer order, are the
 * whole answer, byte for byte. Line ends are kept as they came ("\r\n" stays "\r\n").
 *
 * No fences. An answer whose first non-blank line looks like C++ (it starts with "#" and a
 * letter, "//", a C comment opener, "int ", "void ", "using ", "namespace", "template", "static",
 * "struct", "class", "typedef", "const", "auto ", "long ", "unsigned ", "double ", "bool ",
 * "std::") is code from its start: an implicit code block that a bare fence line ("```" or
 * "~~~") closes. Until that first non-blank line is complete the answer is undecided: it is
 * in neither output. While no fence has been seen and no code found, a prose line starting
 * with "#include" also starts an implicit code block. At finish, if there is still no code
 * block, no fence, and some prose line holds "int main", the implicit block starts at the
 * first prose line that looks like C++ (or at that "int main" line), and the prose keeps
 * only what came before: the one case where the prose shrinks.
 *
 * Which block is "the code". A block "has main" when one of its lines holds "int main"
 * followed by "(" (spaces allowed). Once finished, the code is the last block that has
 * main, or else the longest block (the first of equal length), or "" without blocks.
 * While streaming, a code block still open is the code — unless it has no main yet and a
 * closed block has one: then the closed block is kept until the open one shows its main.
 * When no block is open, the rule for a finished answer applies. A block left open at
 * finish is code up to the end of the answer.
 *
 * Partial lines. Inside a code block, the start of a line that could still become a closing
 * fence (only blanks and fence characters so far) is held back until the line shows what
 * it is; other text is passed on as it arrives, so the editor fills token by token. In
 * prose, a line that could be an opening fence is held until its end. */
typedef struct _KilnCodeExtractor KilnCodeExtractor;

typedef enum
{
  KILN_CODE_UNCHANGED,
  /* The code is the previous code with text added at its end: the new text starts at
   * the offset given by the feed. */
  KILN_CODE_APPENDED,
  /* Anything else (another block became the code): show the whole code again. */
  KILN_CODE_REPLACED,
} KilnCodeChange;

KilnCodeExtractor *kiln_code_extractor_new         (void);
void               kiln_code_extractor_free        (KilnCodeExtractor *self);

/* Feeds the next delta (@length -1 for a NUL-terminated string) and tells how the code
 * changed since the last feed or finish. For KILN_CODE_APPENDED, *@appended_at (may be
 * NULL) is the byte offset in kiln_code_extractor_get_code() where the new text starts;
 * it is set to 0 otherwise. */
KilnCodeChange     kiln_code_extractor_feed        (KilnCodeExtractor *self,
                                                    const char        *text,
                                                    gssize             length,
                                                    gsize             *appended_at);
/* The end of the answer: releases held text and settles the code. Later feeds are
 * ignored until kiln_code_extractor_reset(). */
KilnCodeChange     kiln_code_extractor_finish      (KilnCodeExtractor *self,
                                                    gsize             *appended_at);
/* Ready for a new answer */
void               kiln_code_extractor_reset       (KilnCodeExtractor *self);

/* The current code and prose; valid until the next feed, finish, reset or free. */
const char        *kiln_code_extractor_get_code    (KilnCodeExtractor *self,
                                                    gsize             *length);
const char        *kiln_code_extractor_get_prose   (KilnCodeExtractor *self,
                                                    gsize             *length);
/* Every code block so far, in answer order (an open block included) */
guint              kiln_code_extractor_get_n_blocks (KilnCodeExtractor *self);
const char        *kiln_code_extractor_get_block   (KilnCodeExtractor *self,
                                                    guint              index,
                                                    gsize             *length);
gboolean           kiln_code_extractor_is_finished (KilnCodeExtractor *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KilnCodeExtractor, kiln_code_extractor_free)

G_END_DECLS
