"""A greeter on another seat hears the token too: refused before it
redeems anything; the token then logs in at seat0's greeter."""


def run(p):
    p.wrong_greeter(['--seat', 'seat1'],
                    r'the conversation is on seat seat1 \(XDG_SEAT\), not on seat0; single '
                    r"sign-on serves only seat0's greeter")
