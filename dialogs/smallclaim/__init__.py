"""小额快赔 in chat: after a filed report (or a confirmed 快处快赔 agreement), an eligible
claim is offered the fast lane; the owner picks the damaged parts from the price list's
short list, sends what the documents checklist still lacks (the payee's bank card
included), gets the statement's proposal at once and accepts it with one tap; one payment
instruction goes to the payment port. Whatever the lane cannot approve goes to an adjuster
with the reason. ``offer`` (the offer and the rule), ``steps`` (the owner's steps),
``handover`` (to an adjuster), ``dialog`` (the registry entry). See docs/fastlane.md.
"""
