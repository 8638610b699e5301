"""Accounts on the web: signing in and out, the signed-in person's page, sessions and security."""

from confops.web.accounts.account import AccountPages
from confops.web.accounts.security import SecurityPages
from confops.web.accounts.signin import SignIn

ROUTES = [SignIn, AccountPages, SecurityPages]
