import { Context, Field, ID, ObjectType, Query, Resolver } from '@nestjs/graphql';
import type { FastifyRequest } from 'fastify';
import { Public } from '#src/auth/access.decorators.js';
import { SitesService } from '#src/pages/sites.service.js';

/** What Mercurius (and Nest's driver) put in the context of every GraphQL request. */
interface RequestContext {
  req?: FastifyRequest;
}

@ObjectType('Viewer', { description: 'The user whose credentials came with the request.' })
export class ViewerModel {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  email!: string;

  @Field(() => String)
  name!: string;

  @Field(() => Boolean)
  isSuperuser!: boolean;

  @Field(() => [String], {
    description:
      'What the credentials may do: a person’s session has every scope; an API token the ones it was made with (`read`: drafts and previews).',
  })
  scopes!: string[];
}

@ObjectType('Site', { description: 'A site: a host name and the page its tree starts at.' })
export class SiteModel {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  hostname!: string;

  @Field(() => String)
  name!: string;

  @Field(() => ID, { description: 'List the site’s pages with `pages(descendantOf: rootPageId)`.' })
  rootPageId!: string;

  @Field(() => Boolean, { description: 'Serves hosts no other site names.' })
  isDefault!: boolean;
}

/** `me` and `site`: Finch's own queries, beside those generated from the content types. */
@Resolver()
export class OwnResolvers {
  constructor(private readonly sites: SitesService) {}

  @Public()
  @Query(() => ViewerModel, {
    name: 'me',
    nullable: true,
    description: 'Who the request is signed in as: null without valid credentials.',
  })
  me(@Context() context: RequestContext): ViewerModel | null {
    const principal = context.req?.principal;
    if (!principal) return null;
    const { user } = principal;
    return {
      id: user.id,
      email: user.email,
      name: user.name,
      isSuperuser: user.isSuperuser,
      scopes: [...principal.scopes],
    };
  }

  @Public()
  @Query(() => SiteModel, {
    name: 'site',
    nullable: true,
    description:
      'The site the request’s Host names (or the default site); null when there is none.',
  })
  async site(@Context() context: RequestContext): Promise<SiteModel | null> {
    const site = await this.sites.forHost(context.req?.headers.host);
    return site
      ? {
          id: site.id,
          hostname: site.hostname,
          name: site.name,
          rootPageId: site.rootPageId,
          isDefault: site.isDefault,
        }
      : null;
  }
}
