import re

from argon2 import PasswordHasher

from recruit.accounts.passwords import common_passwords, hash_password, needs_rehash, password_problem, verify_password


def test_hash_is_argon2id_with_the_owasp_parameters():
    encoded = hash_password("a long enough passphrase")
    assert re.match(r"^\$argon2id\$v=19\$m=19456,t=2,p=1\$", encoded)
    assert verify_password(encoded, "a long enough passphrase")
    assert not verify_password(encoded, "a long enough passphrasf")
    assert not needs_rehash(encoded)


def test_old_parameters_need_rehash():
    old = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4).hash("a long enough passphrase")
    assert needs_rehash(old)
    assert verify_password(old, "a long enough passphrase")


def test_unknown_account_and_garbage_hashes_never_verify():
    assert not verify_password(None, "anything at all")
    assert not verify_password("not-a-hash", "anything at all")


def test_policy():
    assert password_problem("short") == "The password must have at least 10 characters."
    assert password_problem("x" * 257) == "The password must have at most 256 characters."
    assert "1234567890" in common_passwords()
    assert password_problem("1234567890") == "This password is too common."
    assert password_problem("QWERTYUIOP") == "This password is too common."
    assert password_problem("my aigerim@mail.kz pass", personal=("aigerim@mail.kz",)) is not None
    assert password_problem("steppe wind over Almaty") is None
    assert len(common_passwords()) > 19_000
