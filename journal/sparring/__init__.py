"""Colleague sparring ("flere øjne på sagen"): requests, sessions with blind rating, actions.

Research behind the product found that collegial sparring renews a worker's belief in a
citizen, and that expectations should be rated alone before they are discussed. The package
holds one idea per module:

- `rules`: pure functions: phases, agreement (r_wg), which prompts become requests, wording
- `requests`: the queue: requests raised by the rules or asked for by hand, dismissal
- `sessions`: a lead's session: cases moving through phases, blind ratings, notes
- `actions`: what a session agreed, who does it, by when, and whether it is done
"""
