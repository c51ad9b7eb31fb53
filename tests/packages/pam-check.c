/* pam-check SERVICE: one authentication through the PAM stack SERVICE as
 * user nobody, with no conversation; prints PAM's verdict. */
#include <security/pam_appl.h>
#include <stdio.h>

static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	(void)n; (void)msg; (void)resp; (void)data;
	return PAM_CONV_ERR;
}

int main(int argc, char **argv)
{
	struct pam_conv c = { conv, NULL };
	pam_handle_t *ph = NULL;
	int rc;

	if (argc != 2)
		return 2;
	rc = pam_start(argv[1], "nobody", &c, &ph);
	if (rc != PAM_SUCCESS) {
		printf("pam_start: %s\n", pam_strerror(ph, rc));
		return 1;
	}
	rc = pam_authenticate(ph, PAM_SILENT);
	printf("pam_authenticate: %s (%d)\n", pam_strerror(ph, rc), rc);
	pam_end(ph, rc);
	return rc == PAM_SUCCESS ? 0 : 1;
}
