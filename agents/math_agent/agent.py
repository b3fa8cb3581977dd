"""A calculator agent: four arithmetic tools, one of which can fail."""

from __future__ import annotations

from google.adk.agents import Agent


def add(a: float, b: float) -> dict:
  """Adds two numbers.

  Args:
    a: The first addend.
    b: The second addend.

  Returns:
    The sum under "result".
  """
  return {"result": a + b}


def subtract(a: float, b: float) -> dict:
  """Subtracts b from a.

  Args:
    a: The minuend.
    b: The subtrahend.

  Returns:
    The difference under "result".
  """
  return {"result": a - b}


def multiply(a: float, b: float) -> dict:
  """Multiplies two numbers.

  Args:
    a: The first factor.
    b: The second factor.

  Returns:
    The product under "result".
  """
  return {"result": a * b}


def divide(a: float, b: float) -> dict:
  """Divides a by b. Dividing by zero raises ZeroDivisionError.

  Args:
    a: The dividend.
    b: The divisor; must not be zero.

  Returns:
    The quotient under "result".
  """
  return {"result": a / b}


root_agent = Agent(
  name="math_agent",
  model="gemini-2.5-flash",
  description="Solves arithmetic questions step by step with calculator tools.",
  instruction=(
    "You are a careful calculator. Break the user's question into single"
    " operations and use one tool per operation; never compute in your"
    " head. Answer with the final number in a short sentence."
  ),
  tools=[add, subtract, multiply, divide],
)
