"""Shared fixtures for the NLU component tests: a model storage, an execution context, the tokenizer."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource

from bot.tokenizer import VietnameseTokenizer


@pytest.fixture(scope="module")
def model_storage(tmp_path_factory: pytest.TempPathFactory) -> LocalModelStorage:
    """A fresh local model storage per test module."""
    return LocalModelStorage(Path(tmp_path_factory.mktemp("model_storage")))


@pytest.fixture(scope="module")
def execution_context() -> ExecutionContext:
    """An execution context as Rasa's graph gives components."""
    return ExecutionContext(GraphSchema({}), "test-model")


@pytest.fixture(scope="module")
def tokenizer(model_storage: LocalModelStorage, execution_context: ExecutionContext) -> VietnameseTokenizer:
    """The project's tokenizer with its default configuration."""
    config = VietnameseTokenizer.get_default_config()
    return VietnameseTokenizer.create(config, model_storage, Resource("tokenizer"), execution_context)
