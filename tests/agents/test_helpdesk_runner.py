"""The helpdesk agent on the real ADK runner, with a scripted model playing the model."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from google.adk.agents import Agent
from google.adk.models.llm_request import LlmRequest

MAYA = "maya.patel@example.com"
CARLOS = "carlos.mendes@example.com"


def _declarations(request: LlmRequest) -> dict[str, Any]:
  assert request.config is not None and request.config.tools
  return {
    declaration.name: declaration
    for tool in request.config.tools
    for declaration in (getattr(tool, "function_declarations", None) or [])
  }


def _instruction(request: LlmRequest) -> str:
  assert request.config is not None
  return str(request.config.system_instruction)


async def test_a_conversation_runs_real_tools_and_keeps_the_customer_in_state(
  agents_on_path, helpdesk_db: Path, run_script
):
  agent = agents_on_path("helpdesk_agent.agent").root_agent
  new_ticket = {
    "customer": {"name": "Maya Patel", "email": MAYA, "plan": "pro"},
    "subject": "Charged twice again",
    "priority": "urgent",
    "tags": ["billing"],
    "attachments": [{"filename": "statement.pdf", "size_kb": 88}],
  }
  run = await run_script(
    agent,
    "Hi, it's Maya (maya.patel@example.com). I was charged twice again!",
    [
      [
        ("remember_customer", {"email": MAYA}),
        ("search_tickets", {"query": "refund", "status": "open"}),
      ],
      [("create_ticket", new_ticket), ("lookup_order_status", {"order_id": "ORD-1001"})],
      [
        ("apply_credit", {"ticket_id": 1, "amount": 12.5}),
        ("run_diagnostics", {"ticket_id": 6, "seconds": 0.1}),
        ("remember_customer", {"email": CARLOS}),
      ],
      "I opened ticket 13 and credited 12.50 USD.",
    ],
    state={"desk_name": "Northwind Support"},
  )

  first, after_remembering = run.model.requests[0], run.model.requests[1]
  assert "Northwind Support help desk" in _instruction(first)
  assert "Maya" not in _instruction(first)
  assert f"Maya Patel <{MAYA}>, pro plan" in _instruction(after_remembering)

  remembered = run.function_responses["remember_customer"]
  assert remembered[0] == {"previous": None, "current": f"Maya Patel <{MAYA}>, pro plan"}
  assert remembered[1]["previous"] == f"Maya Patel <{MAYA}>, pro plan"
  assert run.session.state["current_customer"] == f"Carlos Mendes <{CARLOS}>, pro plan"
  assert run.session.state["desk_name"] == "Northwind Support"

  assert [t["id"] for t in run.function_responses["search_tickets"][0]["tickets"]] == [1]
  assert run.function_responses["lookup_order_status"][0]["status"] == "delivered"
  assert run.function_responses["run_diagnostics"][0]["healthy"] is False
  assert run.function_responses["apply_credit"][0]["total_credited"] == 12.5

  created = run.function_responses["create_ticket"][0]
  assert created["ticket_id"] == 13 and created["customer"]["new"] is False
  connection = sqlite3.connect(helpdesk_db)
  try:
    ticket = connection.execute("SELECT subject, customer_id FROM tickets WHERE id = 13")
    files = connection.execute("SELECT filename FROM attachments WHERE ticket_id = 13")
    credits = connection.execute("SELECT amount FROM credits WHERE ticket_id = 1")
    assert ticket.fetchall() == [("Charged twice again", 1)]
    assert files.fetchall() == [("statement.pdf",)]
    assert credits.fetchall() == [(12.5,)]
  finally:
    connection.close()
  assert run.events[-1].is_final_response()


async def test_an_unknown_email_reaches_the_model_as_a_domain_error(
  agents_on_path, helpdesk_db: Path, run_script
):
  agent = agents_on_path("helpdesk_agent.agent").root_agent
  run = await run_script(
    agent,
    "I'm nobody@example.com",
    [[("get_customer", {"email": "nobody@example.com"})], "I can't find that email."],
    state={"desk_name": "Northwind Support"},
  )

  (response,) = run.function_responses["get_customer"]
  assert response["error"]["type"] == "CustomerNotFoundError"
  assert "'nobody@example.com'" in response["error"]["message"]
  assert "current_customer" not in run.session.state


async def test_offered_tool_declarations_suit_a_form(agents_on_path, helpdesk_db, run_script):
  agent = agents_on_path("helpdesk_agent.agent").root_agent
  run = await run_script(agent, "hello", ["Hello!"], state={"desk_name": "Northwind"})

  declarations = _declarations(run.model.requests[0])
  assert sorted(declarations) == sorted(tool.__name__ for tool in agent.tools)
  kinds: set[str] = set()
  for name, declaration in declarations.items():
    assert declaration.description and "Args:" in declaration.description, name
    schema = declaration.parameters_json_schema
    assert schema["type"] == "object", name
    assert "tool_context" not in schema["properties"], name
    for prop in schema["properties"].values():
      options = prop.get("anyOf", [prop])
      kinds.update(option.get("type", "$ref" if "$ref" in option else "?") for option in options)
      kinds.update("enum" for option in options if "enum" in option)
      kinds.update(
        f"array of {'$ref' if '$ref' in option['items'] else option['items']['type']}"
        for option in options
        if option.get("type") == "array"
      )
  assert {
    "string",
    "integer",
    "number",
    "boolean",
    "enum",
    "$ref",
    "null",
    "array of string",
    "array of $ref",
  } <= kinds
  remember = declarations["remember_customer"].parameters_json_schema
  assert list(remember["properties"]) == ["email"]
  create = declarations["create_ticket"].parameters_json_schema
  assert create["properties"]["customer"] == {"$ref": "#/$defs/NewCustomer"}
  assert create["$defs"]["NewCustomer"]["properties"]["plan"]["enum"] == [
    "free",
    "pro",
    "enterprise",
  ]
  assert all(
    "description" in field
    for model in create["$defs"].values()
    for field in model["properties"].values()
  )


async def test_adk_hands_pydantic_arguments_over_as_model_instances(
  agents_on_path, helpdesk_db, run_script
):
  models = agents_on_path("helpdesk_agent.models")
  received: dict[str, Any] = {}

  def probe(customer, attachments) -> dict:
    """Records what ADK passed."""
    received.update(customer=customer, attachments=attachments)
    return {}

  # Real objects, not strings: this module's postponed annotations could not
  # resolve names local to the test.
  probe.__annotations__ = {
    "customer": models.NewCustomer,
    "attachments": list[models.Attachment],
    "return": dict,
  }

  agent = Agent(name="probe_agent", model="gemini-2.5-flash", tools=[probe])
  arguments = {
    "customer": {"name": "A", "email": "a@example.com"},
    "attachments": [{"filename": "f.txt", "size_kb": 1}],
  }
  await run_script(agent, "go", [[("probe", arguments)], "done"])

  assert received["customer"] == models.NewCustomer(name="A", email="a@example.com")
  assert received["attachments"] == [models.Attachment(filename="f.txt", size_kb=1)]
