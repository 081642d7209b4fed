/* kiln-window-private.h: the window's state, shared by the files that make it up
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtksourceview/gtksource.h>

#include "kiln-model-notes.h"
#include "kiln-text-feed.h"
#include "kiln-window.h"

G_BEGIN_DECLS

#define N_LANGUAGES 2

#define DRAFT_PYTHON "python.py"
#define DRAFT_CPP    "cpp.cpp"
#define DRAFT_INPUT  "input.txt"
#define DRAFT_HIDDEN "hidden-inputs.json"

#define MARK_ERROR   "kiln-error"
#define MARK_WARNING "kiln-warning"

/* One of the two programs: the run in progress and the last result. */
typedef struct
{
  GCancellable  *cancellable;  /* non-NULL while it runs */
  KilnRunResult *result;
  char          *source;       /* the text and input the result came from */
  char          *input;
  gboolean       current;      /* result ran the text and input shown now */
} Program;

typedef enum
{
  TOUCHED_PYTHON = 1 << 0,
  TOUCHED_CPP    = 1 << 1,
  TOUCHED_INPUT  = 1 << 2,
  TOUCHED_HIDDEN = 1 << 3,
} Touched;

struct _KilnWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;
  KilnRunConfig        *config;          /* filled from the settings */
  KilnSession          *session;         /* the program's conversions */
  KilnToolchain        *toolchain;       /* the session's */
  KilnDraftStore       *drafts;
  GCancellable         *cancellable;     /* file I/O of this window; cancelled in dispose */
  GtkNativeDialog      *file_chooser;
  Program               programs[N_LANGUAGES];
  KilnComparison       *comparison;      /* of runs made on their own */
  KilnVerification     *verification;    /* what verifying a C++ run found (Run Both, a
                                          * conversion's attempt) */
  KilnRunResult        *verification_run; /* that C++ run: the verification shows while the
                                           * C++ result is this one and current */
  guint                 verification_shown : 1;
  char                 *reference_cpp;   /* the loaded example's C++, while shown */
  GtkTextTag           *error_tag;
  GtkTextTag           *warning_tag;
  Touched               touched;         /* buffers changed before the drafts were read */
  guint                 drafts_loaded : 1;
  guint                 loading_text : 1;
  guint                 draft_error_shown : 1;

  AdwToastOverlay      *toast_overlay;
  GtkPaned             *editors_paned;
  GtkPaned             *status_paned;
  GtkSourceView        *python_view;
  GtkSourceView        *cpp_view;
  GtkTextView          *input_view;
  GtkExpander          *input_expander;
  GtkWidget            *hidden_inputs;   /* KilnInputCasesView */
  GCancellable         *derive_cancellable; /* non-NULL while hidden inputs are derived */
  GtkButton            *run_python_button;
  GtkButton            *run_cpp_button;
  GtkButton            *run_both_button;
  GtkWidget            *reference_badge;
  KilnStatusPanel      *status_panel;
  KilnModelDropdown    *model_dropdown;
  GMenu                *examples_menu;
  GtkButton            *convert_button;
  GtkWidget            *attempt_box;
  GtkLabel             *attempt_label;
  KilnModelNotes       *model_notes;
  AdwViewStack         *results_stack;
  GtkWidget            *leaderboard;       /* KilnLeaderboard */
  GtkWidget            *speedup_chart;     /* KilnSpeedupChart */
  GtkLabel             *compare_summary;
  GtkWindow            *compare_dialog;
  GtkWindow            *history_window;
  gboolean              export_markdown;   /* what the open file chooser saves */
  guint                 selecting : 1;
  guint                 narrow : 1;        /* editors stacked */
  guint                 layout_idle;

  /* Conversion (kiln-window-convert.c): view state only; the conversions are the session's */
  GSignalGroup         *model_signals;   /* the selected KilnModelItem */
  KilnConversion       *conversion;      /* the conversion shown in the C++ pane */
  GSignalGroup         *conversion_signals;
  KilnTextFeed         *cpp_feed;
  GPtrArray            *attempts;        /* KilnAttempt: the shown conversion's, finished */
  guint                 shown;           /* index in attempts; attempts->len: user_code */
  char                 *user_code;       /* the person's own C++ that no attempt holds */
  char                 *progress_attempt;
  char                 *progress_phase;
  guint                 retry_source;
  gint64                retry_at;
  guint                 streaming_code : 1;

  /* Make It Faster (kiln-window-optimize.c) */
  KilnOptimizer        *optimizer;       /* the rounds shown in the progression view */
  GCancellable         *optimize_cancellable; /* non-NULL while they run */
  GtkWidget            *optimize_view;   /* KilnOptimizeView */
  GtkButton            *make_faster_button;
  GtkLabel             *optimized_note;  /* each model's best, under the leaderboard */
  GHashTable           *optimized_bests; /* model label -> its line in the note */
};


static inline GtkTextBuffer *
_kiln_window_get_buffer (KilnWindow   *self,
                         KilnLanguage  language)
{
  GtkTextView *view = GTK_TEXT_VIEW (language == KILN_LANGUAGE_CPP ? self->cpp_view
                                                                   : self->python_view);

  return gtk_text_view_get_buffer (view);
}

static inline char *
_kiln_window_dup_buffer_text (GtkTextBuffer *buffer)
{
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);

  return gtk_text_buffer_get_text (buffer, &start, &end, TRUE);
}

/* kiln-window.c */
void     _kiln_window_show_toast           (KilnWindow        *self,
                                            const char        *message);
void     _kiln_window_set_buffer_text      (KilnWindow        *self,
                                            GtkTextBuffer     *buffer,
                                            const char        *text);
void     _kiln_window_update_actions       (KilnWindow        *self);
void     _kiln_window_update_results       (KilnWindow        *self,
                                            gboolean           force);
void     _kiln_window_set_verification     (KilnWindow        *self,
                                            KilnVerification  *verification,
                                            KilnRunResult     *cpp_run);
void     _kiln_window_fill_limits          (KilnWindow        *self,
                                            KilnLanguage       language,
                                            KilnRunLimits     *limits);
void     _kiln_window_clear_diagnostic_marks (KilnWindow      *self);
void     _kiln_window_mark_diagnostics     (KilnWindow        *self,
                                            KilnCompileResult *compile);
void     _kiln_window_program_clear_result (Program           *program);
void     _kiln_window_cpp_edited           (KilnWindow        *self);
KilnTimingMask *_kiln_window_new_timing_mask (KilnWindow      *self,
                                              GError         **error);
void     _kiln_window_bind_config          (GSettings         *settings,
                                            KilnRunConfig     *config);

/* kiln-window-files.c */
void     _kiln_window_open_action          (GtkWidget         *widget,
                                            const char        *action_name,
                                            GVariant          *parameter);
void     _kiln_window_save_cpp_as_action   (GtkWidget         *widget,
                                            const char        *action_name,
                                            GVariant          *parameter);

void     _kiln_window_save_text_async      (KilnWindow        *self,
                                            GFile             *file,
                                            const char        *text);

/* kiln-window-compare.c: the leaderboard, the chart, exports and the history */
void     _kiln_window_compare_class_init   (GtkWidgetClass    *widget_class);
void     _kiln_window_compare_init         (KilnWindow        *self);
void     _kiln_window_compare_dispose      (KilnWindow        *self);
void     _kiln_window_compare_update_actions (KilnWindow      *self);
/* The pane now shows @conversion: the leaderboard selects its row. */
void     _kiln_window_compare_shown_changed (KilnWindow       *self);

/* kiln-window-convert.c */
void     _kiln_window_convert_class_init   (GtkWidgetClass    *widget_class);
void     _kiln_window_convert_init         (KilnWindow        *self);
void     _kiln_window_convert_dispose      (KilnWindow        *self);
void     _kiln_window_convert_update_actions (KilnWindow      *self);
/* The C++ pane changed, not by a conversion: it may now be the person's own code. */
void     _kiln_window_convert_cpp_changed  (KilnWindow        *self);
gboolean _kiln_window_convert_is_writing   (KilnWindow        *self);
/* Converts the editors' program with @model; the pane shows it. */
KilnConversion *_kiln_window_convert_with  (KilnWindow        *self,
                                            KilnModel         *model);
/* Converts it with each of @models (KilnModel) at once; the pane shows the first. */
void     _kiln_window_convert_all          (KilnWindow        *self,
                                            GPtrArray         *models);
void     _kiln_window_show_conversion      (KilnWindow        *self,
                                            KilnConversion    *conversion);

/* kiln-window-optimize.c: Make It Faster */
void     _kiln_window_optimize_class_init  (GtkWidgetClass    *widget_class);
void     _kiln_window_optimize_init        (KilnWindow        *self);
void     _kiln_window_optimize_dispose     (KilnWindow        *self);
void     _kiln_window_optimize_update_actions (KilnWindow     *self);
/* Another program: stops the rounds and forgets them. */
void     _kiln_window_optimize_clear       (KilnWindow        *self);

G_END_DECLS
