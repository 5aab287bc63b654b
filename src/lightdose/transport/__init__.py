"""Light transport solvers: layered Monte Carlo (:mod:`lightdose.transport.mc`)."""
