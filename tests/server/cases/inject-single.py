"""A client forges VD_AGENT_SSO in one chunk: the server drops it, the
agent gets none of it."""


def run(s):
    s.inject(200, 1)
