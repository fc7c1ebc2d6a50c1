"""allauth's password forms with this site's rule: an address of a domain that must use
single sign-on cannot sign up, or be added to an account, with a password.

The rule lives on these forms, not on the adapter's ``clean_email``: allauth also runs
``clean_email`` on the address an identity provider sends, and refusing it there drops
the address from a single sign-on and leaves the person on a sign-up form they cannot
submit.
"""

from __future__ import annotations

from allauth.account.forms import AddEmailForm, SignupForm
from django import forms

from mentoring.accounts import sso_only_message, sso_required_for


class PasswordSignupForm(SignupForm):
    def clean_email(self) -> str:
        email = str(self.cleaned_data.get("email") or "")
        if sso_required_for(email):
            raise forms.ValidationError(sso_only_message(), code="sso_required")
        value: str = super().clean_email()
        return value


class PasswordAddEmailForm(AddEmailForm):
    def clean_email(self) -> str:
        email = str(self.cleaned_data.get("email") or "")
        if sso_required_for(email):
            raise forms.ValidationError(sso_only_message(), code="sso_required")
        value: str = super().clean_email()
        return value
