"""Shared pieces of the Python integration harnesses (tests/server,
tests/pam, tests/guest, tests/chain):

  ssotest.core        Skip, Failure, check, wait_for, TimedLines, log-file
                      assertions, a registry of child processes, the
                      one-case-per-file runner
  ssotest.realm       the throwaway MIT realm of tests/with-realm
                      (tests/lib/realm.sh): principals, TGTs
  ssotest.identities  test accounts through nss_wrapper
  ssotest.pam_service the shipped gdm-ovirtcred PAM service for a test
  ssotest.devlog      a private /dev/log whose lines a test reads

Harnesses put tests/lib on sys.path and import from here.
"""
