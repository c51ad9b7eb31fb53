/* session-check: the installed libspice-client-glib has SpiceSession's
 * gss-delegate property, and its command line option --spice-gss-delegate
 * sets it (loaded with dlopen: no spice-gtk headers needed). */
#include <dlfcn.h>
#include <glib-object.h>
#include <stdio.h>

int main(void)
{
	void *h = dlopen("libspice-client-glib-2.0.so.8", RTLD_NOW);
	GType (*get_type)(void);
	gpointer (*session_new)(void);
	GOptionGroup *(*option_group)(void);
	void (*set_session_option)(gpointer);
	GObjectClass *klass;
	GOptionContext *ctx;
	GError *err = NULL;
	gchar *args[] = { "session-check", "--spice-gss-delegate", NULL };
	gchar **argv = args;
	gint argc = 2;
	gpointer session;
	gboolean delegate = FALSE;

	if (!h) {
		fprintf(stderr, "%s\n", dlerror());
		return 1;
	}
	get_type = (GType (*)(void))dlsym(h, "spice_session_get_type");
	session_new = (gpointer (*)(void))dlsym(h, "spice_session_new");
	option_group = (GOptionGroup *(*)(void))dlsym(h, "spice_get_option_group");
	set_session_option = (void (*)(gpointer))dlsym(h, "spice_set_session_option");
	if (!get_type || !session_new || !option_group || !set_session_option) {
		fprintf(stderr, "libspice-client-glib-2.0: a symbol is missing\n");
		return 1;
	}
	klass = g_type_class_ref(get_type());
	if (!g_object_class_find_property(klass, "gss-delegate")) {
		fprintf(stderr, "SpiceSession: no property gss-delegate\n");
		return 1;
	}
	ctx = g_option_context_new(NULL);
	g_option_context_add_group(ctx, option_group());
	if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
		fprintf(stderr, "--spice-gss-delegate: %s\n", err->message);
		return 1;
	}
	session = session_new();
	set_session_option(session);
	g_object_get(session, "gss-delegate", &delegate, NULL);
	if (!delegate) {
		fprintf(stderr, "--spice-gss-delegate did not set gss-delegate\n");
		return 1;
	}
	g_object_unref(session);
	g_option_context_free(ctx);
	return 0;
}
