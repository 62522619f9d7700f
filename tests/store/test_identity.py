"""Where an identity comes from: the proxy's request header (as Voila hands it to the kernel), or the local
account; never free text."""
from __future__ import annotations

import getpass
import json

import pytest

from workbench.store import DecisionError, Identity, identity_from_environ, identity_from_header, source_label
from workbench.store.identity import check_header_name, header_env_var


def test_header_identity():
    who = identity_from_header("X-Remote-User", "  alice  ")
    assert who == Identity("alice", "header:X-Remote-User") and who.printed_name == "alice"
    assert header_env_var("X-Remote-User") == "HTTP_X_REMOTE_USER"


def test_jupyterhub_user_record():
    """jhsingle-native-proxy --forward-user-info sends the hub's user record as JSON."""
    record = json.dumps({"kind": "user", "name": "wang.li", "admin": False, "groups": ["reviewers"]})
    assert identity_from_header("X-CDSDASHBOARDS-JH-USER", record).identity == "wang.li"
    with pytest.raises(DecisionError, match="no user name"):
        identity_from_header("X-CDSDASHBOARDS-JH-USER", json.dumps({"kind": "user"}))


@pytest.mark.parametrize("value,why", [
    (None, "carried no X-Remote-User header"), ("", "carried no"), ("   ", "carried no"),
    ("alice,bob", "one user name"),                  # two headers joined by a sloppy proxy
    ("ali\x1bce", "one user name"), ("a" * 201, "one user name"),
    ("local:root", "local account"),                 # the local namespace cannot be claimed through a header
])
def test_header_without_one_user_name_refused(value, why):
    with pytest.raises(DecisionError) as exc:
        identity_from_header("X-Remote-User", value)
    assert why in exc.value.message_en and "nothing can be recorded" in exc.value.message_en
    assert "未通过身份认证" in exc.value.message_zh and exc.value.field == "identity"


def test_identity_from_the_kernel_environment():
    env = {"WORKBENCH_USER_HEADER": "X-Remote-User", "HTTP_X_REMOTE_USER": "bob"}
    assert identity_from_environ(env) == Identity("bob", "header:X-Remote-User")
    with pytest.raises(DecisionError, match="carried no X-Remote-User"):
        identity_from_environ({"WORKBENCH_USER_HEADER": "X-Remote-User"})
    local = identity_from_environ({"HTTP_X_REMOTE_USER": "bob"})           # no --user-header: the header is ignored
    assert (local.identity, local.source) == (f"local:{getpass.getuser()}", "local")


@pytest.mark.parametrize("name", ["X Remote", "X_Remote_User", "", "-x", "a" * 65, "X-Üser"])
def test_bad_header_names_refused(name):
    with pytest.raises(ValueError, match="letters, digits"):
        check_header_name(name)


def test_source_labels_are_bilingual():
    assert source_label(None, "en") == "unrecorded (not recorded)"
    assert source_label("local", "zh") == "local（本机账户）"
    assert source_label("header:X-Remote-User", "both").startswith("header:X-Remote-User（认证代理请求头 / ")
