"""Kernel testers: one class per op, NumPy float64 references (see STYLE.md §5)."""
