"""Helpers for tests that must fail when the thing they check did not happen (weights loaded, outputs freed)."""
import weakref

import torch


def randomise_weights(nlp, seed: int = 0) -> None:
    """Every weight matrix drawn from N(0, 1) (biases and norms left as they are), so predictions differ from
    token to token and from an untrained copy, whose zero-initialised output layers predict one label everywhere."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for _, component in nlp.components:
            for param in component.model.parameters():
                if param.dim() > 1:
                    param.copy_(torch.randn(param.shape, generator=generator))


def assert_same_weights(a: torch.nn.Module, b: torch.nn.Module) -> None:
    left, right = a.state_dict(), b.state_dict()
    assert sorted(left) == sorted(right)
    assert all(torch.equal(left[key], right[key]) for key in left)


def record_outputs(encoder) -> list:
    """Make `encoder` keep a weak reference to each batch output it computes; returns the list of references."""
    refs, run_model = [], encoder.run_model

    def recording(docs):
        output = run_model(docs)
        refs.append(weakref.ref(output))
        return output

    encoder.run_model = recording
    return refs
