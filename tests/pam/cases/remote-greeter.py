"""A seatless, remote greeter hears the token too: refused before it
redeems anything; the token then logs in at seat0's greeter."""


def run(p):
    p.wrong_greeter(['--seat', '', '--rhost', 'client.example.test'],
                    r'the conversation has no seat \(no XDG_SEAT in the PAM environment: a '
                    r"remote or seatless display\); single sign-on serves only seat0's greeter")
