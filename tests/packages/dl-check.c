/* dl-check LIB SYMBOL...: LIB loads with every symbol bound (RTLD_NOW) and
 * exports each SYMBOL. */
#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	void *h;
	int i;

	if (argc < 2)
		return 2;
	h = dlopen(argv[1], RTLD_NOW);
	if (!h) {
		fprintf(stderr, "dlopen %s: %s\n", argv[1], dlerror());
		return 1;
	}
	for (i = 2; i < argc; i++) {
		if (!dlsym(h, argv[i])) {
			fprintf(stderr, "%s: no symbol %s\n", argv[1], argv[i]);
			return 1;
		}
	}
	return 0;
}
