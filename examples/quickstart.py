from cubicasa import CubiCasa

with CubiCasa() as client:  # the key and base URL come from CUBICASA_API_KEY, CUBICASA_BASE_URL
    for order in client.orders.list(status=["Ready"], max_items=3):
        print(order.id, order.info.status, order.address.full_address)

    draft = client.drafts.create(
        street="615 Bourbon St",
        city="New Orleans",
        country="United States",
        owner_email="linus@computer.com",  # a user of the company (the fake's, here)
        external_id="R4ER93",
    )
    print("draft", draft.id)
