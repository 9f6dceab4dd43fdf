"""What serves the lessons, in numpy only: data, experiments, and the logic behind each widget.

A demonstration has three pieces with one name: its logic here
(`lessons/unrolling.py`), its drawing (`plotting/unrolling.py`) and its
widget (`widgets/unrolling.py`). Tests call the logic directly.

    data          text.py (words to vectors), features.py (bag of words, windows),
                  tasks.py (every seeded synthetic task of the course),
                  charlm.py (notebook 8's character-level model on Python's own source)
    experiments   patterns.py (notebook 3's trainings), echo.py (notebook 5),
                  long_range.py (the adding problem, notebooks 6 and 7), cliff.py (notebook 6),
                  stacked.py (notebook 8: two layers, one bptt each), torch_map.py (notebook 8)
    demonstrations
                  unrolling.py (notebook 2's stepper), seen.py (notebook 4),
                  backward.py (notebook 5's backward stepper), gradients.py (notebooks 6 and 7),
                  lstm_gates.py (notebook 7), gru_gates.py (notebook 8)
"""
