"""Tuning plait to the machine it runs on: torch's thread count (`threads.py`), glibc's heap and the garbage
collector over long runs (`memory.py`), what the CPU can do (`cpu.py`). Core and models import it; it imports
nothing else from plait."""
