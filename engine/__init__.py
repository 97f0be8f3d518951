"""pmipmc engine: explicit and symbolic model checking of finite transition systems (knows nothing of PMIPv6)."""
