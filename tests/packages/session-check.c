/* session-check: the installed libspice-client-glib has SpiceSession's
 * gss-delegate property (loaded with dlopen: no spice-gtk headers needed). */
#include <dlfcn.h>
#include <glib-object.h>
#include <stdio.h>

int main(void)
{
	void *h = dlopen("libspice-client-glib-2.0.so.8", RTLD_NOW);
	GType (*get_type)(void);
	GObjectClass *klass;

	if (!h) {
		fprintf(stderr, "%s\n", dlerror());
		return 1;
	}
	get_type = (GType (*)(void))dlsym(h, "spice_session_get_type");
	if (!get_type)
		return 1;
	klass = g_type_class_ref(get_type());
	if (!g_object_class_find_property(klass, "gss-delegate")) {
		fprintf(stderr, "SpiceSession: no property gss-delegate\n");
		return 1;
	}
	return 0;
}
