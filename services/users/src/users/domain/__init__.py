"""Identity rules: accounts, e-mail normalisation, machine clients and token claims."""
