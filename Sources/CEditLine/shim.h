#ifndef TALLY_CEDITLINE_SHIM_H
#define TALLY_CEDITLINE_SHIM_H
#include <stdio.h>
#include <histedit.h>

/*
 * Non-variadic wrappers: Swift cannot call C variadic functions
 * (el_set, el_get, history), so each operation Tally uses gets its own
 * static inline function with a fixed signature.
 */

typedef char *(*tally_el_prompt_fn)(EditLine *);
typedef unsigned char (*tally_el_command_fn)(EditLine *, int);

static inline int tally_el_set_prompt(EditLine *el, tally_el_prompt_fn fn) {
    return el_set(el, EL_PROMPT, fn);
}

static inline int tally_el_set_editor(EditLine *el, const char *mode) {
    return el_set(el, EL_EDITOR, mode);
}

static inline int tally_el_set_signal(EditLine *el, int on) {
    return el_set(el, EL_SIGNAL, on);
}

static inline int tally_el_set_history(EditLine *el, History *h) {
    return el_set(el, EL_HIST, history, h);
}

static inline int tally_el_set_clientdata(EditLine *el, void *data) {
    return el_set(el, EL_CLIENTDATA, data);
}

static inline void *tally_el_get_clientdata(EditLine *el) {
    void *data = NULL;
    if (el_get(el, EL_CLIENTDATA, &data) != 0) {
        return NULL;
    }
    return data;
}

/* Registers a named editor command (usable in EL_BIND). */
static inline int tally_el_add_function(EditLine *el, const char *name,
                                        const char *help, tally_el_command_fn fn) {
    return el_set(el, EL_ADDFN, name, help, fn);
}

/* Binds a key sequence such as "^I" or "\\e[A" to a named editor command. */
static inline int tally_el_bind(EditLine *el, const char *key, const char *command) {
    return el_set(el, EL_BIND, key, command, NULL);
}

/* e.g. tally_el_setty(el, "-d", "-isig"): change a flag of the edit-mode tty settings. */
static inline int tally_el_setty(EditLine *el, const char *mode, const char *flag) {
    return el_set(el, EL_SETTY, mode, flag, NULL);
}

/* 1: put the terminal in editing (raw) mode, 0: back to its normal mode. */
static inline int tally_el_prepare_terminal(EditLine *el, int editing) {
    return el_set(el, EL_PREP_TERM, editing);
}

/* Terminal width in columns as libedit sees it (0 when unknown). */
static inline int tally_el_columns(EditLine *el) {
    int columns = 0;
    if (el_get(el, EL_GETTC, "co", &columns) != 0) {
        return 0;
    }
    return columns;
}

static inline int tally_el_get_editmode(EditLine *el) {
    int on = 0;
    if (el_get(el, EL_EDITMODE, &on) != 0) {
        return 0;
    }
    return on;
}

/* ==== History ==== */

static inline int tally_history_set_size(History *h, int size) {
    HistEvent ev;
    return history(h, &ev, H_SETSIZE, size);
}

static inline int tally_history_set_unique(History *h, int unique) {
    HistEvent ev;
    return history(h, &ev, H_SETUNIQUE, unique);
}

static inline int tally_history_enter(History *h, const char *entry) {
    HistEvent ev;
    return history(h, &ev, H_ENTER, entry);
}

static inline int tally_history_clear(History *h) {
    HistEvent ev;
    return history(h, &ev, H_CLEAR);
}

#endif
