"""The math of recurrent networks, in numpy only: what every lesson builds on.

    cell.py           what every cell shares: R (`step`) and O (`output`), one step forward and back
    elman.py          the Elman cell          s_t = g(x_t W_x + s_{t-1} W_s + b)
    lstm.py           the LSTM cell           s_t = [c_t, h_t], gates i, f, o and the candidate c~
    gru.py            the GRU cell            s_t = h_t, gates r and z and the candidate n
    unroll.py         `unroll` (the forward pass over a sequence) and `bptt` (the one backward pass)
    bidirectional.py  a forward and a backward cell over the same sequence
    models.py         the usage patterns as trainable models (acceptor, encoder, transducer, ...)
    layers.py         the affine output head
    losses.py         softmax cross-entropy and mean squared error, with their gradients
    optim.py          SGD, Adam, gradient clipping
    train.py          `fit`, the training loop every notebook shares
    gradcheck.py      centred finite differences, to check every backward pass
    activations.py    tanh, sigmoid, relu, softmax and their derivatives
"""
