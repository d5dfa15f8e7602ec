"""Pure numerics: the op registry, the forward/backward engine, gradient checking."""
