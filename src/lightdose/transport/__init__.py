"""Light transport: the shared layer spec (:mod:`.layers`), layered Monte Carlo (:mod:`.mc`), the fast δ-P1
solver (:mod:`.diffusion`), and dose at depth from a device on a body site (:mod:`.dose`)."""
