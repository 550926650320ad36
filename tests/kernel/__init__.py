"""Tests of the C reference module (kmod/): guest-side checks and the guest results."""
