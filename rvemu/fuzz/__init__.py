__doc__ = "Fuzzing the emulator: generated programs (gen) and the campaign with its property checks (campaign)."
