"""A client forges VD_AGENT_SSO in three chunks: the server drops it, the
agent gets none of it."""


def run(s):
    s.inject(5000, 3)
