"""快处快赔 in chat: the owner invites the other driver, both pick what happened and confirm,
and the agreement (协议书) is issued, or the case goes to an adjuster.

``offer`` (the button after a filed report), ``invite`` (the code, link and QR code, and
joining with the code), ``driver`` (the other driver's details and photos), ``picks`` (what
happened, which car, confirmations, the agreement or the adjuster), ``dialog`` (the
registry entry). See docs/fastlane.md.
"""
