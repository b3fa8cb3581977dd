"""What to do about a run that failed: a hint for the failures a person can fix.

ADK fills `{key}` and `{artifact.name}` in an agent's instruction from the
session before each model call, and raises a `KeyError` when one is missing:
the most common first-run failure of an agent that expects its state from
elsewhere (an earlier agent, a callback, the client). The hint names the key
and the two ways out.
"""

from __future__ import annotations

import re

_MISSING_STATE = re.compile(
  r"Context variable not found: `(?P<key>[^`]+)` in agent '(?P<agent>[^']*)'"
)
_MISSING_ARTIFACT = re.compile(r"Artifact '(?P<key>[^']+)' not found in agent '(?P<agent>[^']*)'")


def failure_hint(error: BaseException) -> str:
  """A sentence on how to fix `error`, or "" when there is none to give."""
  if not isinstance(error, KeyError) or not error.args or not isinstance(error.args[0], str):
    return ""
  text = error.args[0]
  if found := _MISSING_STATE.search(text):
    key = found["key"]
    return (
      f"The instruction of {found['agent']} reads {{{key}}} from the session state, which"
      f" does not hold {key!r}: give it in the agent's initial_state in the config (or in"
      f' a play script\'s "state"), or write {{{key}?}} in the instruction if it may be'
      " missing."
    )
  if found := _MISSING_ARTIFACT.search(text):
    key = found["key"]
    return (
      f"The instruction of {found['agent']} reads {{artifact.{key}}}, and this session has"
      f" no artifact {key!r}: save it before that model call, or write"
      f" {{artifact.{key}?}} in the instruction if it may be missing."
    )
  return ""
