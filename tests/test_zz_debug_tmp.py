from tests.test_duplicates import *
def test_show(app, hand_made):
    for c in found(app, hand_made["base"]):
        print({v:k for k,v in hand_made.items()}[c.tip_id], c.score, c.reasons)
