package apitest

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

// AuthTypes are the connection authorization types, in the order tests
// walk them.
var AuthTypes = []types.ConnectionAuthorizationType{
	types.ConnectionAuthorizationTypeBasic, types.ConnectionAuthorizationTypeApiKey, types.ConnectionAuthorizationTypeOauthClientCredentials,
}

// AuthInput returns CreateConnection auth parameters of typ whose secrets
// all carry tag, with one secret and one plain invocation parameter of each
// kind.
func AuthInput(typ types.ConnectionAuthorizationType, tag string) *types.CreateConnectionAuthRequestParameters {
	p := &types.CreateConnectionAuthRequestParameters{InvocationHttpParameters: &types.ConnectionHttpParameters{
		HeaderParameters: []types.ConnectionHeaderParameter{
			{Key: aws.String("X-Plain"), Value: aws.String("plain-header")},
			{Key: aws.String("X-Secret"), Value: aws.String("hdr-" + tag), IsValueSecret: true},
		},
		QueryStringParameters: []types.ConnectionQueryStringParameter{{Key: aws.String("token"), Value: aws.String("qs-" + tag), IsValueSecret: true}},
		BodyParameters:        []types.ConnectionBodyParameter{{Key: aws.String("tenant"), Value: aws.String("plain-body")}},
	}}
	switch typ {
	case types.ConnectionAuthorizationTypeBasic:
		p.BasicAuthParameters = &types.CreateConnectionBasicAuthRequestParameters{Username: aws.String("user-1"), Password: aws.String("pw-" + tag)}
	case types.ConnectionAuthorizationTypeApiKey:
		p.ApiKeyAuthParameters = &types.CreateConnectionApiKeyAuthRequestParameters{ApiKeyName: aws.String("x-api-key"), ApiKeyValue: aws.String("key-" + tag)}
	case types.ConnectionAuthorizationTypeOauthClientCredentials:
		p.OAuthParameters = &types.CreateConnectionOAuthRequestParameters{
			AuthorizationEndpoint: aws.String("https://auth.example.com/oauth2/token"), HttpMethod: types.ConnectionOAuthHttpMethodPost,
			ClientParameters: &types.CreateConnectionOAuthClientRequestParameters{ClientID: aws.String("client-1"), ClientSecret: aws.String("cs-" + tag)},
			OAuthHttpParameters: &types.ConnectionHttpParameters{BodyParameters: []types.ConnectionBodyParameter{
				{Key: aws.String("scope"), Value: aws.String("read")},
				{Key: aws.String("audience"), Value: aws.String("aud-" + tag), IsValueSecret: true},
			}},
		}
	}
	return p
}

// SecretsOf lists the secret values AuthInput(typ, tag) carries.
func SecretsOf(typ types.ConnectionAuthorizationType, tag string) []string {
	s := []string{"hdr-" + tag, "qs-" + tag}
	switch typ {
	case types.ConnectionAuthorizationTypeBasic:
		s = append(s, "pw-"+tag)
	case types.ConnectionAuthorizationTypeApiKey:
		s = append(s, "key-"+tag)
	default:
		s = append(s, "cs-"+tag, "aud-"+tag)
	}
	return s
}

// CreateConnection creates connection name of typ with AuthInput(typ, tag).
func CreateConnection(t testing.TB, c *eventbridge.Client, name string, typ types.ConnectionAuthorizationType, tag string) *eventbridge.CreateConnectionOutput {
	t.Helper()
	return Must[*eventbridge.CreateConnectionOutput](t)(c.CreateConnection(context.Background(), &eventbridge.CreateConnectionInput{
		Name: aws.String(name), AuthorizationType: typ, AuthParameters: AuthInput(typ, tag), Description: aws.String("for " + name),
	}))
}

// DescribeConnection describes connection name, failing the test on error.
func DescribeConnection(t testing.TB, c *eventbridge.Client, name string) *eventbridge.DescribeConnectionOutput {
	t.Helper()
	return Must[*eventbridge.DescribeConnectionOutput](t)(c.DescribeConnection(context.Background(), &eventbridge.DescribeConnectionInput{Name: aws.String(name)}))
}

// DescribeDestination describes API destination name, failing the test on
// error.
func DescribeDestination(t testing.TB, c *eventbridge.Client, name string) *eventbridge.DescribeApiDestinationOutput {
	t.Helper()
	return Must[*eventbridge.DescribeApiDestinationOutput](t)(c.DescribeApiDestination(context.Background(), &eventbridge.DescribeApiDestinationInput{Name: aws.String(name)}))
}
