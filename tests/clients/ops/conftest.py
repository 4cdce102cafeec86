"""The official VCF Operations client's connection, unmodified: ``connect`` signs in (Acquire) and
gives the token and a stub configuration that sends it as ``OpsToken``."""

import pytest
import requests
from vcf.operations.api.auth.token_client import Acquire
from vcf.operations.model_client import UsernamePassword
from vmware.vapi.lib.connect import get_requests_connector
from vmware.vapi.security.client.security_context_filter import LegacySecurityContextFilter
from vmware.vapi.security.http_authorization import create_http_authorization_security_context
from vmware.vapi.stdlib.client.factories import StubConfigurationFactory

from helpers import ADMIN, DEMO_PASSWORD


@pytest.fixture
def connect(server, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", server.cert)
    url = f"{server.https}/suite-api"

    def config(token=None):
        session = requests.Session()
        session.verify = server.cert
        chain = []
        if token is not None:
            context = create_http_authorization_security_context(
                authz_credentials=token, authn_scheme="OpsToken"
            )
            chain = [LegacySecurityContextFilter(security_context=context)]
        return StubConfigurationFactory.new_std_configuration(
            get_requests_connector(session=session, msg_protocol="rest", url=url, provider_filter_chain=chain)
        )

    def sign_in(username=ADMIN, password=DEMO_PASSWORD, auth_source=None):
        token = Acquire(config()).acquire_token(
            username_password=UsernamePassword(username=username, password=password, auth_source=auth_source)
        )
        return token, config(token.token)

    return sign_in
